package dev.hato.managesieve.session;

import dev.hato.auth.sasl.SaslConversation;
import dev.hato.auth.sasl.SaslEngine;
import dev.hato.auth.sasl.SaslStep;
import dev.hato.managesieve.wire.ManageSieveResponse;
import dev.hato.store.directory.Account;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * ManageSieve's side of SASL (RFC 5804 §2.1) over the one {@link SaslEngine}: a challenge is a string holding base64,
 * the client's answer a string too ({@code "*"} cancels), and the engine's failures become {@code NO} responses with
 * RFC 5804 §1.3 codes ({@code TRYLATER} when the credential source cannot answer). The login throttle and audit log
 * are the engine's, under the protocol name {@code managesieve}. One per session.
 */
final class ManageSieveAuthExchange {

    /** What the session does next. */
    sealed interface Reply permits Challenge, LoggedIn, Refused { }

    /** Send {@code line}; the client's next line is its response. */
    record Challenge(String line) implements Reply { }

    /** The client is {@code account}. */
    record LoggedIn(Account account) implements Reply { }

    /** Send {@code line}; {@code failedLogin}: it counts towards the failed logins, else towards bad commands. */
    record Refused(String line, boolean failedLogin, boolean temporary) implements Reply { }

    private final SaslConversation sasl;

    ManageSieveAuthExchange(SaslEngine engine, String remoteIp) {
        this.sasl = new SaslConversation(engine, "managesieve", remoteIp, false);
    }

    /** The SASL capability's mechanisms, strongest first (LOGIN is SMTP's only). */
    List<String> mechanisms() {
        return sasl.mechanisms();
    }

    boolean active() {
        return sasl.active();
    }

    Mono<Reply> start(String mechanism, @Nullable String initialResponse) {
        return sasl.start(mechanism, initialResponse).map(this::reply);
    }

    Mono<Reply> respond(String response) {
        return sasl.respond(response).map(this::reply);
    }

    /** The connection ended, or the client's line was refused, in the middle of an exchange. */
    void abandon() {
        sasl.abandon();
    }

    private Reply reply(SaslStep step) {
        if (step instanceof SaslStep.Challenge challenge) {
            return new Challenge(ManageSieveResponse.string(challenge.base64()) + "\r\n");
        }
        if (step instanceof SaslStep.Success success) {
            return new LoggedIn(success.account());
        }
        SaslStep.Failure failure = (SaslStep.Failure) step;
        return switch (failure.reason()) {
            case UNSUPPORTED_MECHANISM -> bad("Unsupported authentication mechanism");
            case MALFORMED -> bad("Cannot decode the " + sasl.mechanism() + " response");
            case TOO_LONG -> bad("Authentication response too long");
            // RFC 5804 §2.1: a client that sends "*" gets NO.
            case CANCELLED -> bad("Authentication cancelled");
            case AUTHZID_REFUSED -> failed("Authorization identity not allowed");
            case REJECTED -> failed(failure.addressGiven()
                    ? "Authentication failed: log in with your auth ID, not your e-mail address"
                    : "Authentication failed");
            case UNAVAILABLE -> new Refused(ManageSieveResponse.no("TRYLATER",
                    "Authentication service temporarily unavailable, try again later"), false, true);
            case NOT_CONFIRMED -> failed("Authentication exchange not completed");
        };
    }

    private static Refused bad(String text) {
        return new Refused(ManageSieveResponse.no(null, text), false, false);
    }

    private static Refused failed(String text) {
        return new Refused(ManageSieveResponse.no(null, text), true, false);
    }
}
