package dev.hato.outbound;

import java.net.InetAddress;
import java.util.List;
import reactor.core.publisher.Mono;

/** The DNS lookups outbound delivery needs; the Netty implementation is in {@code dev.hato.outbound.transport}. */
public interface MxResolver {

    /**
     * The MX records of {@code domain}, empty when it has none (an answer without MX records). Errors with
     * {@link UnknownDomainException} when the domain does not exist (NXDOMAIN); any other error is temporary.
     */
    Mono<List<MxRecord>> mx(String domain);

    /** The A and AAAA addresses of {@code host} (IPv4 first); errors when there are none. */
    Mono<List<InetAddress>> addresses(String host);

    /** The authoritative answer that the domain does not exist. */
    final class UnknownDomainException extends RuntimeException {
        public UnknownDomainException(String domain) {
            super("the domain " + domain + " does not exist (NXDOMAIN)", null, false, false);
        }
    }
}
