package dev.hato.pop3.session;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.sasl.SaslConversation;
import dev.hato.auth.sasl.SaslEngine;
import dev.hato.auth.sasl.SaslStep;
import dev.hato.store.directory.Account;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * POP3's side of SASL (RFC 5034) over the one {@link SaslEngine}: only the framing — a challenge is {@code + } and
 * base64, a continuation line is the client's response — and the mapping of the engine's steps to {@code +OK} /
 * {@code -ERR} with RFC 2449 / RFC 3206 response codes ({@code [AUTH]}, {@code [SYS/TEMP]}). Also the USER/PASS
 * login, through the same engine so it meets the same throttle and audit log. One per session.
 */
final class Pop3AuthExchange {

    /** What the session does next. */
    sealed interface Reply permits Continue, LoggedIn, Refused { }

    /** Send {@code line}; the next line from the client is a SASL response for {@link #respond}. */
    record Continue(String line) implements Reply { }

    /** The client is {@code account}: open its maildrop ({@code password}: the one given, for a proxied login). */
    record LoggedIn(Account account, @Nullable String password) implements Reply { }

    /** Send {@code line}; {@code count} says which of the session's limits it counts towards. */
    record Refused(String line, Count count) implements Reply { }

    /** A protocol error, a failed login, or neither (a temporary failure). */
    enum Count { ERROR, AUTH_FAILURE, NONE }

    static final String UNAVAILABLE = "-ERR [SYS/TEMP] Authentication service temporarily unavailable, try again later";

    private final SaslConversation sasl;

    Pop3AuthExchange(SaslEngine engine, String remoteIp) {
        this.sasl = new SaslConversation(engine, "pop3", remoteIp, false);
    }

    /** RFC 5034 §3: the mechanisms for CAPA's SASL line and AUTH without arguments (LOGIN is SMTP's only). */
    List<String> mechanisms() {
        return sasl.mechanisms();
    }

    /** True while an exchange waits for the client's next response. */
    boolean active() {
        return sasl.active();
    }

    /** RFC 5034 §4: {@code AUTH mechanism [initial-response]}. */
    Mono<Reply> start(String mechanism, @Nullable String initialResponse) {
        return sasl.start(mechanism, initialResponse).map(this::reply);
    }

    /** The client's line while {@link #active()}. */
    Mono<Reply> respond(String line) {
        return sasl.respond(line).map(this::reply);
    }

    /** The connection ended, or a line was refused, in the middle of an exchange. */
    void abandon() {
        sasl.abandon();
    }

    /** USER/PASS (RFC 1939 §7), guarded like any SASL login. */
    Mono<Reply> password(String login, String password) {
        return sasl.password(login, password).map(outcome -> {
            if (outcome instanceof AuthOutcome.Success success) {
                return new LoggedIn(success.account(), password);
            }
            if (outcome instanceof AuthOutcome.Rejected rejected) {
                return rejected(rejected.addressGiven());
            }
            return new Refused(UNAVAILABLE, Count.NONE);
        });
    }

    private Reply reply(SaslStep step) {
        if (step instanceof SaslStep.Challenge challenge) {
            return new Continue("+ " + challenge.base64());
        }
        if (step instanceof SaslStep.Success success) {
            return new LoggedIn(success.account(), sasl.passwordGiven());
        }
        SaslStep.Failure failure = (SaslStep.Failure) step;
        return switch (failure.reason()) {
            case UNSUPPORTED_MECHANISM -> new Refused("-ERR Unsupported authentication mechanism", Count.ERROR);
            case MALFORMED -> new Refused("-ERR Invalid " + (SaslEngine.PLAIN.equals(sasl.mechanism())
                    ? "AUTH PLAIN" : sasl.mechanism()) + " response", Count.ERROR);
            case TOO_LONG -> new Refused("-ERR Authentication exchange line too long", Count.ERROR);
            case CANCELLED -> new Refused("-ERR Authentication cancelled", Count.ERROR);
            case AUTHZID_REFUSED -> new Refused("-ERR [AUTH] Authorization identity not allowed",
                    Count.AUTH_FAILURE);
            case REJECTED -> rejected(failure.addressGiven());
            case UNAVAILABLE -> new Refused(UNAVAILABLE, Count.NONE);
            case NOT_CONFIRMED -> new Refused("-ERR [AUTH] Authentication exchange not completed",
                    Count.AUTH_FAILURE);
        };
    }

    private static Refused rejected(boolean addressGiven) {
        return new Refused(addressGiven
                ? "-ERR [AUTH] Authentication failed: log in with your auth ID, not your e-mail address"
                : "-ERR [AUTH] Authentication failed", Count.AUTH_FAILURE);
    }
}
