package dev.hato.managesieve.session;

import dev.hato.auth.sasl.SaslStep;
import dev.hato.managesieve.wire.ManageSieveResponse;
import dev.hato.store.directory.Account;
import org.jspecify.annotations.Nullable;

/**
 * ManageSieve's side of SASL (RFC 5804 §2.1) over the one {@link dev.hato.auth.sasl.SaslEngine}, which the session
 * reaches through a {@link dev.hato.auth.sasl.SaslConversation} named {@code managesieve} (the audit log's protocol,
 * with the login throttle): a challenge is a string holding base64 (the client's answer is a string too, {@code "*"}
 * cancels), and the engine's failures become {@code NO} responses with RFC 5804 §1.3 codes ({@code TRYLATER} when the
 * credential source cannot answer).
 */
final class SaslReplies {

    /** What the session does next. */
    sealed interface Reply permits Challenge, LoggedIn, Refused { }

    /** Send {@code line}; the client's next line is its response. */
    record Challenge(String line) implements Reply { }

    /** The client is {@code account}. */
    record LoggedIn(Account account) implements Reply { }

    /**
     * Send {@code line}. {@code failedLogin}: it counts towards the failed logins; {@code temporary}: towards nothing
     * (the client may try again later); neither: towards the bad commands.
     */
    record Refused(String line, boolean failedLogin, boolean temporary) implements Reply { }

    private SaslReplies() { }

    /** The reply to {@code step} of an exchange of {@code mechanism}. */
    static Reply of(SaslStep step, @Nullable String mechanism) {
        if (step instanceof SaslStep.Challenge challenge) {
            return new Challenge(ManageSieveResponse.string(challenge.base64()) + "\r\n");
        }
        if (step instanceof SaslStep.Success success) {
            return new LoggedIn(success.account());
        }
        SaslStep.Failure failure = (SaslStep.Failure) step;
        return switch (failure.reason()) {
            case UNSUPPORTED_MECHANISM -> bad("Unsupported authentication mechanism");
            case MALFORMED -> bad("Cannot decode the " + mechanism + " response");
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
