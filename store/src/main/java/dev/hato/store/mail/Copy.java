package dev.hato.store.mail;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One local copy of a delivered message: the account, the mailbox (null: the INBOX, or the \Junk mailbox of a
 * quarantined delivery) and the flags it is stored with (RFC 5232: a Sieve script's {@code fileinto :flags}). A named
 * mailbox that does not exist is created when {@code create} (RFC 5490 {@code :create}); otherwise the copy goes to
 * the INBOX (RFC 5228 §4.1 lets the implementation choose; Pigeonhole, too, keeps such a message in the INBOX).
 */
public record Copy(long accountId, @Nullable String mailbox, List<String> flags, boolean create) {

    public Copy {
        flags = List.copyOf(flags);
    }

    /** A copy for the account's INBOX, without flags. */
    public static Copy inbox(long accountId) {
        return new Copy(accountId, null, List.of(), false);
    }

    /** A copy for each account's INBOX, in order. */
    public static List<Copy> inboxes(List<Long> accountIds) {
        return accountIds.stream().map(Copy::inbox).toList();
    }
}
