package dev.hato.protocol;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * One connection's conversation. The edge calls {@link #open()} once, then {@link #receive} with each batch of
 * input, never concurrently and never before the previous Flux completed; reading from the socket pauses while a
 * Flux runs, which is how a slow store slows a fast client down.
 */
public interface ProtocolSession {

    /** The greeting. */
    Flux<Action> open();

    /** Consumes all of {@code input} (or stops early after a Close or StartTls, dropping the rest). */
    Flux<Action> receive(ByteBuffer input);

    /** How long the client may stay silent before {@link #idle()} is called. */
    Duration idleTimeout();

    /** The client was silent for too long: say goodbye and close. */
    Flux<Action> idle();

    /**
     * The server is shutting down: called between commands (never while one runs, so an acknowledged message is
     * always committed first). Say goodbye with the protocol's temporary code and close.
     */
    Flux<Action> shutdown();

    /**
     * Output the session produces without input, such as IMAP's untagged responses during IDLE (RFC 2177). The edge
     * subscribes once, right after {@link #open()}, and writes each action as it arrives, but never in the middle of
     * the output of {@link #receive}, {@link #idle()} or {@link #shutdown()}: an action arriving then waits until that
     * Flux completed. Empty by default.
     */
    default Flux<Action> unsolicited() {
        return Flux.empty();
    }

    /**
     * Whether a client has logged in on this connection; the edge's deadline to log in stops counting once it has.
     * False by default (a session without logins).
     */
    default boolean authenticated() {
        return false;
    }

    /**
     * Whether the client is in the middle of something that must not be cut off between two inputs, such as the
     * content of an SMTP message (DATA, or the chunks of a BDAT transaction). The edge's deadlines wait while it is,
     * up to a bound of their own; the session's idle timeout still ends a client that stalls. False by default.
     */
    default boolean busy() {
        return false;
    }

    /**
     * TLS is on: the handshake (implicit TLS, or after STARTTLS/STLS) completed with {@code tls}. Called by the edge
     * on the connection's thread before any input that arrived under TLS is passed on. Ignored by default.
     */
    default void tlsEstablished(TlsParameters tls) {
    }

    /**
     * Output due as soon as TLS is up, right after {@link #tlsEstablished}, written before any input that arrived
     * under TLS is passed on: ManageSieve re-issues its capabilities after STARTTLS (RFC 5804 §2.2), and a client may
     * send its next command without waiting for them. Null (the default) when nothing is due.
     */
    default @Nullable Flux<Action> afterTlsEstablished() {
        return null;
    }

    /** The connection is gone (closed by either side); release what the session holds. Must not throw. */
    void closed();
}
