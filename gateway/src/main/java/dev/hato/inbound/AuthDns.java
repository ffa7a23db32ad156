package dev.hato.inbound;

import reactor.core.publisher.Mono;

/**
 * The DNS lookups of inbound authentication (SPF, DKIM keys, DMARC policies). Implementations are asynchronous,
 * bounded in time and cached; a lookup never errors: a failure or timeout is {@link DnsAnswer#temperror()}.
 * The Netty implementation is {@code dev.hato.inbound.transport.NettyAuthDns}.
 */
public interface AuthDns {

    enum Type { TXT, A, AAAA, MX, PTR }

    /** The records of {@code type} at {@code name} (a domain name without the final dot). */
    Mono<DnsAnswer> lookup(String name, Type type);
}
