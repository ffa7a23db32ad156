package dev.hato.imap.session;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.sasl.SaslConversation;
import dev.hato.auth.sasl.SaslEngine;
import dev.hato.auth.sasl.SaslStep;
import dev.hato.store.directory.Account;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * IMAP AUTHENTICATE (RFC 3501 §6.2.2, SASL-IR from RFC 4959) and LOGIN over the one {@link SaslEngine}: only the
 * framing — a challenge is {@code + } and base64, a line while an exchange runs is the client's response — and the
 * mapping of the engine's steps to tagged replies with RFC 5530 response codes ({@code [AUTHENTICATIONFAILED]},
 * {@code [AUTHORIZATIONFAILED]}, {@code [UNAVAILABLE]}). Failed and unavailable logins are counted in
 * {@code hato.imap.logins}. The session keeps the rules of when a login may be tried (TLS, state). One per session.
 */
final class ImapAuthExchange {

    /** What the session does next. */
    sealed interface Reply permits Continue, LoggedIn, Refused { }

    /** Send {@code line}; the next line from the client is a SASL response for {@link #respond}. */
    record Continue(String line) implements Reply { }

    /**
     * The command tagged {@code tag} logged the client in as {@code account}, with {@code password} when the
     * mechanism carried one (LOGIN, PLAIN): what a proxied login may use on the old system.
     */
    record LoggedIn(String tag, Account account, @Nullable String password) implements Reply { }

    /** Answer the command tagged {@code tag} with {@code text}, as {@code kind} says. */
    record Refused(String tag, Kind kind, String text) implements Reply { }

    /** {@code BAD}, {@code NO}, or {@code NO} for a failed login (counted towards BYE). */
    enum Kind { BAD, NO, FAILED_LOGIN }

    private final SaslConversation sasl;
    private final MeterRegistry meters;
    private String tag = "*";

    ImapAuthExchange(SaslEngine engine, String remoteIp, MeterRegistry meters) {
        this.sasl = new SaslConversation(engine, "imap", remoteIp, false);
        this.meters = meters;
    }

    /** The {@code AUTH=} capabilities, strongest first (LOGIN is SMTP's only; IMAP has its own LOGIN command). */
    List<String> capabilities() {
        return sasl.mechanisms().stream().map(name -> "AUTH=" + name).toList();
    }

    /** True while an exchange waits for the client's next response. */
    boolean active() {
        return sasl.active();
    }

    /** {@code tag AUTHENTICATE mechanism [initial-response]}. */
    Mono<Reply> start(String commandTag, String mechanism, @Nullable String initialResponse) {
        tag = commandTag;
        return sasl.start(mechanism, initialResponse).map(this::reply);
    }

    /** The client's line while {@link #active()}. */
    Mono<Reply> respond(String line) {
        return sasl.respond(line).map(this::reply);
    }

    /** The framer refused a line in the middle of an exchange: it ends, answered with BAD. */
    Refused lineTooLong() {
        abandon();
        return new Refused(tag, Kind.BAD, "Authentication exchange line too long");
    }

    /** The connection ended in the middle of an exchange (a SCRAM exchange then counts as a failed login). */
    void abandon() {
        sasl.abandon();
    }

    /** {@code tag LOGIN userid password} (RFC 3501 §6.2.3), guarded like any SASL login. */
    Mono<Reply> password(String commandTag, String login, String password) {
        return sasl.password(login, password).map(outcome -> {
            if (outcome instanceof AuthOutcome.Success success) {
                return new LoggedIn(commandTag, success.account(), password);
            }
            if (outcome instanceof AuthOutcome.Rejected rejected) {
                return rejected(commandTag, rejected.addressGiven());
            }
            return unavailable(commandTag);
        });
    }

    private Reply reply(SaslStep step) {
        if (step instanceof SaslStep.Challenge challenge) {
            return new Continue("+ " + challenge.base64());
        }
        if (step instanceof SaslStep.Success success) {
            return new LoggedIn(tag, success.account(), sasl.passwordGiven());
        }
        SaslStep.Failure failure = (SaslStep.Failure) step;
        return switch (failure.reason()) {
            case UNSUPPORTED_MECHANISM -> new Refused(tag, Kind.NO, "Unsupported authentication mechanism");
            case MALFORMED -> new Refused(tag, Kind.BAD, "Cannot decode " + sasl.mechanism() + " response");
            case TOO_LONG -> new Refused(tag, Kind.BAD, "Authentication exchange line too long");
            // RFC 3501 §6.2.2: "*" cancels the exchange, answered with BAD.
            case CANCELLED -> new Refused(tag, Kind.BAD, "Authentication cancelled");
            case AUTHZID_REFUSED -> new Refused(tag, Kind.FAILED_LOGIN,
                    "[AUTHORIZATIONFAILED] Authorization identity not allowed");
            case REJECTED -> rejected(tag, failure.addressGiven());
            case UNAVAILABLE -> unavailable(tag);
            case NOT_CONFIRMED -> new Refused(tag, Kind.FAILED_LOGIN,
                    "[AUTHENTICATIONFAILED] Authentication exchange not completed");
        };
    }

    private Refused rejected(String commandTag, boolean addressGiven) {
        meters.counter("hato.imap.logins", "outcome", "rejected").increment();
        // Said for every address-shaped login, so it reveals nothing about which addresses or auth IDs exist.
        return new Refused(commandTag, Kind.FAILED_LOGIN, addressGiven
                ? "[AUTHENTICATIONFAILED] Authentication failed: log in with your auth ID, not your e-mail address"
                : "[AUTHENTICATIONFAILED] Authentication failed");
    }

    private Refused unavailable(String commandTag) {
        meters.counter("hato.imap.logins", "outcome", "unavailable").increment();
        return new Refused(commandTag, Kind.NO,
                "[UNAVAILABLE] Authentication service temporarily unavailable, try again later");
    }
}
