package dev.hato.sieve;

import java.util.List;
import org.jspecify.annotations.Nullable;

/** What a script decided for one recipient, carried out by the delivery pipeline after the evaluation succeeded. */
public sealed interface Action {

    /**
     * Store in the recipient's INBOX: {@code keep}, or the implicit keep (RFC 5228 §4.3, §2.10.2), with these IMAP
     * flags (RFC 5232; system flags as {@code \Seen}).
     */
    record Keep(List<String> flags) implements Action {
        public Keep {
            flags = List.copyOf(flags);
        }

        public Keep() {
            this(List.of());
        }
    }

    /**
     * Store in this mailbox of the recipient (RFC 5228 §4.1), with these IMAP flags (RFC 5232); {@code create}: make
     * the mailbox first if it does not exist (RFC 5490 §3.1), else a missing mailbox means the INBOX.
     */
    record FileInto(String mailbox, List<String> flags, boolean create) implements Action {
        public FileInto {
            flags = List.copyOf(flags);
        }

        public FileInto(String mailbox) {
            this(mailbox, List.of(), false);
        }
    }

    /** Send the message on to this address (RFC 5228 §4.2). */
    record Redirect(String address) implements Action { }

    /** The message is dropped for this recipient (RFC 5228 §4.4); only ever the sole action. */
    record Discard() implements Action { }

    /**
     * Refuse the message for this recipient (RFC 5429), always the sole action: {@code ereject} ({@code extended})
     * at SMTP time when every recipient of the transaction refuses it (§2.1), otherwise, and for {@code reject}, by a
     * delivery status notification carrying the reason (§2.2).
     */
    record Reject(String reason, boolean extended) implements Action { }

    /**
     * Answer the sender (RFC 5230): the delivery pipeline decides whether this message may be answered at all
     * ({@link VacationPolicy}) and whether this sender was answered under {@code handle} within
     * {@code periodSeconds}, then sends the response through the outbound queue.
     *
     * @param subject   the response's subject, null for the default ("Auto: " and the original's)
     * @param from      the response's From, null for the recipient's own address
     * @param addresses the recipient's other addresses ({@code :addresses})
     * @param mime      {@code reason} is a MIME entity with its own header (RFC 5230 §4.6), not plain text
     */
    record Vacation(String reason, @Nullable String subject, @Nullable String from, List<String> addresses,
                    boolean mime, String handle, long periodSeconds) implements Action {
        public Vacation {
            addresses = List.copyOf(addresses);
        }
    }
}
