package dev.hato.store.queue;

import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One recipient of a queued message as the outbound queue holds it: what to send ({@code message}), to whom
 * ({@code recipient}, with its DSN parameters), and how far delivery has come.
 *
 * @param id           the queue's id of this recipient
 * @param domain       the lower-cased domain of the address; the destination unless the recipient has a
 *                     {@linkplain OutboundRecipient#transport() transport} (see {@link #destination()})
 * @param attempts     delivery attempts finished so far
 * @param nextAttempt  when it is due (for a claimed recipient: when its claim runs out)
 * @param lastError    the last failure as the remote server or the resolver gave it, or null
 * @param delayNotified whether the sender was already told of the delay (RFC 3464 "delayed", sent once)
 */
public record QueuedRecipient(long id, QueuedMessage message, OutboundRecipient recipient, String domain,
                              State state, int attempts, Instant nextAttempt, @Nullable String lastError,
                              boolean delayNotified) {

    /** Queued (waiting or being tried), or finished one way or the other while other recipients still wait. */
    public enum State { QUEUED, DELIVERED, FAILED }

    public QueuedRecipient {
        if (domain.isEmpty() || !domain.equals(domain.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("the destination domain must be lower-case, not '" + domain + "'");
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts cannot be negative");
        }
    }

    /** Destinations of recipients relayed to a legacy system's MTA start with this; no domain name has a colon. */
    public static final String LEGACY_PREFIX = "legacy:";

    /**
     * Where this recipient goes, the unit of the runner's connections: {@code legacy:NAME} for a recipient relayed
     * to the legacy system NAME, otherwise the domain of its address.
     */
    public String destination() {
        String transport = recipient.transport();
        return transport == null ? domain : LEGACY_PREFIX + transport;
    }

    /** The lower-cased domain of an address, or the whole address when it has no {@code @}. */
    public static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
    }
}
