package dev.hato.outbound.client;

import java.net.InetSocketAddress;
import reactor.core.publisher.Mono;

/** Opens connections to SMTP servers; the Netty implementation lives in {@code dev.hato.outbound.transport}. */
public interface SmtpConnector {

    /**
     * Connects to {@code address}, which belongs to {@code hostName} (the name TLS checks the certificate against).
     * With {@code implicitTls} the connection is encrypted before the greeting (RFC 8314 submissions); {@code verify}
     * then decides whether the certificate is checked.
     */
    Mono<SmtpTransport> connect(String hostName, InetSocketAddress address, boolean implicitTls, boolean verify);
}
