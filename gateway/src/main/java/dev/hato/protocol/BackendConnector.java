package dev.hato.protocol;

import javax.net.ssl.SSLContext;
import reactor.core.publisher.Mono;

/** Opens {@link Backend} connections; the edge implements it. */
public interface BackendConnector {

    /**
     * Connects to {@code host:port}, with TLS from the first octet when {@code implicitTls}. {@code trust} checks the
     * server's certificate, and the certificate must name {@code host} (RFC 6125), whenever TLS starts.
     */
    Mono<Backend> connect(String host, int port, boolean implicitTls, SSLContext trust);
}
