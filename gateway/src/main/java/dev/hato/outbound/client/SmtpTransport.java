package dev.hato.outbound.client;

import dev.hato.protocol.TlsParameters;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One connection to a remote SMTP server as the client conversation sees it. Implementations frame replies into
 * lines and time out silent servers; {@link SmtpClient} does everything else.
 */
public interface SmtpTransport {

    /** The next complete reply from the server. */
    Mono<SmtpReply> reply();

    /** Writes command text (one or several CRLF-terminated lines: a pipelined group is one write). */
    Mono<Void> send(String commands);

    /** Writes raw bytes (DATA content or BDAT chunks), with backpressure from the socket. */
    Mono<Void> sendBytes(Flux<ByteBuffer> bytes);

    /**
     * Starts TLS on this connection after the server's 220 to STARTTLS (RFC 3207 §4); {@code verify} asks for the
     * certificate chain and the host name to be checked. Fails if the server already sent anything more: bytes
     * before the handshake could be an injection attack.
     */
    Mono<Void> startTls(boolean verify);

    /** Whether the connection is encrypted now. */
    boolean encrypted();

    /** The TLS protocol and cipher suite negotiated, or null while the connection is not encrypted (or unknown). */
    default @Nullable TlsParameters tls() {
        return null;
    }

    /** The server's host name as used for this connection (the MX or smarthost name), for reports. */
    String remoteHost();

    /** Closes the connection without waiting for anything. */
    void close();
}
