package dev.hato.auth.sasl;

import dev.hato.store.directory.Account;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;

/**
 * What one step of a {@link SaslExchange} gives the protocol. Every challenge and every piece of additional data of
 * the mechanisms Hato offers is UTF-8 text (SCRAM's messages, the LOGIN prompts, OAUTHBEARER's JSON error), so it
 * is kept as text; {@link Challenge#base64()} is how SMTP, IMAP and POP3 put it on the wire.
 */
public sealed interface SaslStep permits SaslStep.Challenge, SaslStep.Success, SaslStep.Failure {

    /** Send {@code data} as a challenge ({@code 334 }, {@code + } and base64) and pass the answer to the exchange. */
    record Challenge(String data) implements SaslStep {

        /** The challenge as every protocol sends it: base64 of its UTF-8 octets; empty for an empty challenge. */
        public String base64() {
            return Base64.getEncoder().encodeToString(data.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Logged in as {@code account}. {@code data} is the mechanism's additional data with the outcome (SCRAM's
     * server-final-message {@code v=...}), null for mechanisms that have none. None of Hato's protocols carries data
     * with a success (RFC 4954 §4, RFC 3501, RFC 5034), so RFC 4422 §5 applies: the exchange has already sent it as
     * a last challenge and received the client's empty response before it gives this step.
     */
    record Success(Account account, @Nullable String data) implements SaslStep { }

    /**
     * The exchange is over without a login. {@code addressGiven}: a {@link Reason#REJECTED} login looked like an
     * e-mail address, so the reply can point to the auth ID (it says nothing about who exists). {@code data} is the
     * mechanism's error payload, when it has one: SCRAM's {@code e=...}, or the OAUTHBEARER / XOAUTH2 JSON error that
     * went out as the last challenge (RFC 7628 §3.2.2).
     */
    record Failure(Reason reason, boolean addressGiven, @Nullable String data) implements SaslStep {

        static Failure of(Reason reason) {
            return new Failure(reason, false, null);
        }
    }

    /** Why an exchange failed; each protocol maps these to its own replies. */
    enum Reason {
        /** The mechanism is not offered (unknown, or its backend is not configured). Not a login attempt. */
        UNSUPPORTED_MECHANISM,
        /** A response that is not base64 or not a message of the mechanism. A protocol error, not a login attempt. */
        MALFORMED,
        /** A response longer than {@link SaslEngine#MAX_RESPONSE} (or a line the protocol's framer refused). */
        TOO_LONG,
        /** The client sent {@code *} (RFC 4422 §3.5). */
        CANCELLED,
        /** PLAIN's authorization identity names someone else; acting as another user is not allowed. */
        AUTHZID_REFUSED,
        /** Wrong credentials, or a refused token or proof: a failed login, counted by the throttle. */
        REJECTED,
        /** The credential source could not answer, or the throttle refused the attempt: try again later. */
        UNAVAILABLE,
        /** The client did not accept SCRAM's server signature (no empty response to it): no login. */
        NOT_CONFIRMED
    }
}
