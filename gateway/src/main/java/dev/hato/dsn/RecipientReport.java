package dev.hato.dsn;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** The per-recipient fields of a delivery status notification (RFC 3464 §2.3). */
public record RecipientReport(String finalRecipient, @Nullable String originalRecipient, Action action,
                              String status, @Nullable String remoteMta, @Nullable String diagnostic,
                              @Nullable Instant lastAttempt, @Nullable Instant willRetryUntil) {

    /** RFC 3464 §2.3.3 Action field. */
    public enum Action { FAILED, DELAYED, DELIVERED, RELAYED, EXPANDED }

    public RecipientReport {
        if (!status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException("a DSN status is class.subject.detail (RFC 3463), not " + status);
        }
    }
}
