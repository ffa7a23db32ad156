package dev.hato.outbound.client;

import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** Opens connections to SMTP servers; the Netty implementation lives in {@code dev.hato.outbound.transport}. */
public interface SmtpConnector {

    /**
     * Connects to {@code address}, which belongs to {@code hostName} (the name TLS checks the certificate against).
     * With {@code implicitTls} the connection is encrypted before the greeting (RFC 8314 submissions); {@code verify}
     * then decides whether the certificate is checked. A checked certificate must chain to {@code trustPem} (PEM
     * certificates, trusted besides the system's CAs: a legacy system's own, issue 17) or, when it is null, to the
     * certificates outbound delivery trusts.
     */
    Mono<SmtpTransport> connect(String hostName, InetSocketAddress address, boolean implicitTls, boolean verify,
                                @Nullable String trustPem);
}
