package dev.hato.smtp.session;

import dev.hato.auth.sasl.SaslConversation;
import dev.hato.auth.sasl.SaslEngine;
import dev.hato.auth.sasl.SaslStep;
import dev.hato.store.directory.Account;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * SMTP AUTH (RFC 4954) over the one {@link SaslEngine}: only the framing — a challenge is {@code 334 } and base64, a
 * line while an exchange runs is the client's response — and the mapping of the engine's steps to RFC 4954 §6
 * replies ({@code 235}, {@code 535 5.7.8}, {@code 454 4.7.0}, {@code 501}, {@code 504}, {@code 500 5.5.6}). The
 * session keeps the rules of when AUTH may be used at all (port, TLS, EHLO, not twice, not in a transaction). One
 * per session.
 */
final class SmtpAuthExchange {

    /** What the session does next. */
    sealed interface Reply permits Continue, LoggedIn, Refused { }

    /** Send {@code line}; the next line from the client is a SASL response for {@link #respond}. */
    record Continue(String line) implements Reply { }

    /** The client is {@code account}: send {@code 235}. */
    record LoggedIn(Account account, String line) implements Reply { }

    /** Send {@code line}; {@code count} says which of the session's limits it counts towards. */
    record Refused(String line, Count count) implements Reply { }

    /** A protocol error, a failed login, or neither (a temporary failure). */
    enum Count { ERROR, AUTH_FAILURE, NONE }

    private final SaslConversation sasl;

    SmtpAuthExchange(SaslEngine engine, String remoteIp) {
        this.sasl = new SaslConversation(engine, "smtp", remoteIp, true);
    }

    /** The EHLO keyword's parameters: the mechanisms offered, strongest first. */
    String mechanisms() {
        return String.join(" ", sasl.mechanisms());
    }

    /** True while an exchange waits for the client's next response. */
    boolean active() {
        return sasl.active();
    }

    /** RFC 4954 §4: {@code AUTH mechanism [initial-response]}, once the session has allowed it. */
    Mono<Reply> start(String mechanism, @Nullable String initialResponse) {
        return sasl.start(mechanism, initialResponse).map(this::reply);
    }

    /** The client's line while {@link #active()}. */
    Mono<Reply> respond(String line) {
        return sasl.respond(line).map(this::reply);
    }

    /** RFC 4954 §4: a line over the limit ends the exchange; the next line is a command again. */
    Refused lineTooLong() {
        abandon();
        return new Refused("500 5.5.6 Authentication Exchange line is too long", Count.ERROR);
    }

    /** The connection ended in the middle of an exchange (a SCRAM exchange then counts as a failed login). */
    void abandon() {
        sasl.abandon();
    }

    private Reply reply(SaslStep step) {
        if (step instanceof SaslStep.Challenge challenge) {
            return new Continue("334 " + challenge.base64());
        }
        if (step instanceof SaslStep.Success success) {
            return new LoggedIn(success.account(), "235 2.7.0 Authentication successful");
        }
        SaslStep.Failure failure = (SaslStep.Failure) step;
        String mechanism = sasl.mechanism();
        return switch (failure.reason()) {
            case UNSUPPORTED_MECHANISM -> new Refused("504 5.5.4 Unrecognized authentication type", Count.ERROR);
            case MALFORMED -> new Refused("501 5.5.2 Cannot decode "
                    + (SaslEngine.PLAIN.equals(mechanism) || SaslEngine.LOGIN.equals(mechanism) ? "AUTH " : "")
                    + mechanism + " response", Count.ERROR);
            case TOO_LONG -> new Refused("500 5.5.6 Authentication Exchange line is too long", Count.ERROR);
            case CANCELLED -> new Refused("501 5.0.0 Authentication cancelled", Count.ERROR);
            case AUTHZID_REFUSED -> new Refused(
                    "535 5.7.8 Authentication credentials invalid (authorization identity not allowed)",
                    Count.AUTH_FAILURE);
            case REJECTED -> new Refused(failure.addressGiven()
                    ? "535 5.7.8 Authentication credentials invalid: log in with your auth ID, not your e-mail address"
                    : "535 5.7.8 Authentication credentials invalid", Count.AUTH_FAILURE);
            case UNAVAILABLE -> new Refused("454 4.7.0 Temporary authentication failure, try again later",
                    Count.NONE);
            case NOT_CONFIRMED -> new Refused("535 5.7.8 Authentication exchange not completed", Count.AUTH_FAILURE);
        };
    }
}
