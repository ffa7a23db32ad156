package dev.hato.outbound;

import java.net.InetAddress;
import java.util.List;
import reactor.core.publisher.Mono;

/** The DNS lookups outbound delivery needs (MX, addresses, and the TXT records of MTA-STS and TLS reporting); the Netty implementation is in {@code dev.hato.outbound.transport}. */
public interface MxResolver {

    /**
     * The MX records of {@code domain}, empty when it has none (an answer without MX records). Errors with
     * {@link UnknownDomainException} when the domain does not exist (NXDOMAIN); any other error is temporary.
     */
    Mono<List<MxRecord>> mx(String domain);

    /**
     * The TXT records of {@code name}, each one string (its character-strings joined); empty when there are none or
     * the name does not exist. Any error is temporary.
     */
    Mono<List<String>> txt(String name);

    /** The A and AAAA addresses of {@code host} (IPv4 first); errors when there are none. */
    Mono<List<InetAddress>> addresses(String host);

    /** The authoritative answer that the domain does not exist. */
    final class UnknownDomainException extends RuntimeException {
        public UnknownDomainException(String domain) {
            super("the domain " + domain + " does not exist (NXDOMAIN)", null, false, false);
        }
    }
}
