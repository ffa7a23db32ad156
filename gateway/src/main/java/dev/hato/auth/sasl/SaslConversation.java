package dev.hato.auth.sasl;

import dev.hato.auth.AuthOutcome;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The SASL side of one connection, whatever its protocol: the mechanisms it offers, the one exchange an AUTH command
 * started, the client lines that answer that exchange's challenges until it gives a final step, and the plain-text
 * login outside SASL. The protocols' adapters keep only their framing and the mapping of steps to replies. One thread
 * at a time, like the session that owns it.
 */
public final class SaslConversation {

    private final SaslEngine engine;
    private final String protocol;
    private final String remoteIp;
    private final boolean loginOffered;
    private @Nullable SaslExchange exchange;

    /**
     * For a client at {@code remoteIp} over {@code protocol} (the audit log's name). {@code loginOffered}: whether the
     * protocol offers the LOGIN mechanism (SMTP does; IMAP and POP3 have their own plain-text login commands).
     */
    public SaslConversation(SaslEngine engine, String protocol, String remoteIp, boolean loginOffered) {
        this.engine = engine;
        this.protocol = protocol;
        this.remoteIp = remoteIp;
        this.loginOffered = loginOffered;
    }

    /** The mechanisms this connection offers, strongest first. */
    public List<String> mechanisms() {
        List<String> all = engine.mechanisms();
        return loginOffered ? all : all.stream().filter(name -> !name.equals(SaslEngine.LOGIN)).toList();
    }

    /** True while an exchange waits for the client's next response. */
    public boolean active() {
        SaslExchange current = exchange;
        return current != null && !current.finished();
    }

    /** The mechanism of the exchange started last; null before the first, or when it was not offered. */
    public @Nullable String mechanism() {
        SaslExchange current = exchange;
        return current == null ? null : current.mechanism();
    }

    /**
     * {@code AUTH mechanism [initial-response]}: the exchange's first step. A mechanism this connection does not offer
     * gives a {@link SaslStep.Reason#UNSUPPORTED_MECHANISM} failure.
     */
    public Mono<SaslStep> start(String mechanism, @Nullable String initialResponse) {
        SaslExchange started = offered(mechanism) ? engine.start(mechanism, protocol, remoteIp)
                : new SaslExchange(null, protocol, remoteIp, engine);
        exchange = started;
        return started.start(initialResponse);
    }

    /** The client's line while {@link #active()}. */
    public Mono<SaslStep> respond(String line) {
        SaslExchange current = exchange;
        if (current == null || current.finished()) {
            return Mono.error(new IllegalStateException("no " + protocol + " SASL exchange is running"));
        }
        return current.respond(line);
    }

    /**
     * The connection ended, or the protocol refused a line, in the middle of an exchange (a SCRAM exchange then counts
     * as a failed login). Nothing when no exchange runs.
     */
    public void abandon() {
        SaslExchange current = exchange;
        if (current != null && !current.finished()) {
            current.abandon();
        }
    }

    /** A plain-text login outside SASL (IMAP {@code LOGIN}, POP3 {@code USER}/{@code PASS}), guarded the same way. */
    public Mono<AuthOutcome> password(String login, String password) {
        return engine.password(login, password, protocol, remoteIp);
    }

    /** The password the last exchange carried (PLAIN, LOGIN); null for the other mechanisms or before one. */
    public @Nullable String passwordGiven() {
        SaslExchange current = exchange;
        return current == null ? null : current.password();
    }

    private boolean offered(String mechanism) {
        return loginOffered || !mechanism.equalsIgnoreCase(SaslEngine.LOGIN);
    }
}
