package dev.hato.dsn;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What happened to one recipient, as a DSN reports it (RFC 3464 §2.3).
 *
 * @param finalRecipient   the address the message was last sent to, without angle brackets
 * @param originalRecipient the recipient as the client gave it in ORCPT (RFC 3461 §4.2): {@code rfc822;addr},
 *                          {@code utf-8;addr} (RFC 6533 §3), or a bare address (taken as {@code rfc822}); null when
 *                          no ORCPT was given
 * @param status           the enhanced status code (RFC 3463), e.g. {@code 5.1.1}: {@code 2.x.x} for delivered,
 *                          relayed and expanded, {@code 4.x.x} for delayed, {@code 4.x.x} or {@code 5.x.x} for
 *                          failed (a message that timed out in the queue fails with its last temporary status)
 * @param remoteMta        the host name of the server that answered, or null
 * @param diagnostic       that server's answer, {@code smtp; 550 5.1.1 ...} (a value without a {@code type;} is
 *                          taken as an SMTP reply), or null
 * @param lastAttempt      when delivery was last tried, or null
 * @param willRetryUntil   for a delay: until when delivery will be retried, or null
 */
public record RecipientReport(String finalRecipient, @Nullable String originalRecipient, Action action,
                              String status, @Nullable String remoteMta, @Nullable String diagnostic,
                              @Nullable Instant lastAttempt, @Nullable Instant willRetryUntil) {

    /** RFC 3464 §2.3.3 action values. */
    public enum Action { FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED }

    /** RFC 3463 §2: class "." subject "." detail, each subject and detail at most three digits. */
    private static final Pattern STATUS = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    public RecipientReport {
        Objects.requireNonNull(finalRecipient, "finalRecipient");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        if (finalRecipient.isBlank()) {
            throw new IllegalArgumentException("a recipient report needs the final recipient's address");
        }
        if (!STATUS.matcher(status).matches()) {
            throw new IllegalArgumentException("status must be an RFC 3463 code such as 5.1.1, not " + status);
        }
        char kind = status.charAt(0);
        boolean consistent = switch (action) {
            case FAILED -> kind == '5' || kind == '4';
            case DELAYED -> kind == '4';
            case DELIVERED, RELAYED, EXPANDED -> kind == '2';
        };
        if (!consistent) {
            throw new IllegalArgumentException("status " + status + " does not fit action " + action
                    + " (RFC 3464 §2.3.4)");
        }
    }

    /** A recipient the message was delivered to, with no detail from another server. */
    public static RecipientReport delivered(String finalRecipient, @Nullable String originalRecipient) {
        return new RecipientReport(finalRecipient, originalRecipient, Action.DELIVERED, "2.0.0", null, null, null,
                null);
    }
}
