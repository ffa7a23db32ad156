package dev.hato.store.mail;

import dev.hato.store.mail.Mailboxes.AppendResult;
import dev.hato.store.mail.Mailboxes.NewMessage;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * What a migration needs beyond IMAP's view (issue 17): mailboxes that keep the UIDVALIDITY and the UIDs the old
 * server gave, so that no client downloads anything twice after the switch. Hato allocates UIDs, so a mailbox that
 * never held a message can take the old numbers.
 */
public interface KeptUids {

    /**
     * Gives the mailbox the old server's UIDVALIDITY when it has never held a message (its next UID is 1) or has it
     * already: true; false, unchanged, otherwise. The account's last UIDVALIDITY is raised past it, so a mailbox of
     * the same name made later gets another one (RFC 3501 §2.3.1.1).
     */
    Mono<Boolean> adoptUidValidity(long accountId, long mailboxId, long uidValidity);

    /**
     * Stores messages with the UIDs they had, in one transaction, as {@link Mailboxes#append(long, long, List)}
     * stores them (quota, change feed, one modseq): {@code uids} ascending, the first at least the mailbox's next
     * UID, which becomes the last plus one; the {@link #copiedUpTo} mark becomes the last plus one too, in the same
     * transaction. CANNOT when a UID is below the next UID (it may have been given already).
     */
    Mono<List<AppendResult>> appendWithUids(long accountId, long mailboxId, List<NewMessage> messages, List<Long> uids);

    /**
     * Stores messages the old server numbered {@code oldUids} under new UIDs of Hato's (theirs were given here
     * already), and raises the {@link #copiedUpTo} mark past them, in one transaction.
     */
    Mono<List<AppendResult>> appendRenumbered(long accountId, long mailboxId, List<NewMessage> messages,
                                              List<Long> oldUids);

    /**
     * Which of {@code sha256s} (SHA-256 digests of message octets) the mailbox holds a message of, as lower-case hex.
     */
    Mono<java.util.Set<String>> holding(long accountId, long mailboxId, java.util.Collection<byte[]> sha256s);

    /**
     * How far a copy from the old server has come: every old UID below {@code uidNext} was fetched into the mailbox;
     * {@code oldModseq}, the old folder's HIGHESTMODSEQ when the last pass examined it (0: unknown).
     */
    record CopyMark(long uidNext, long oldModseq) { }

    /** The mailbox's {@link CopyMark}; empty when no copy has marked it. */
    Mono<CopyMark> copiedUpTo(long accountId, long mailboxId);

    /** Keeps the old folder's HIGHESTMODSEQ as the last pass saw it, for a mailbox a copy has marked. */
    Mono<Void> keepOldModseq(long accountId, long mailboxId, long oldModseq);

    /**
     * Raises the mailbox's next UID to at least {@code uidNext} (the old server's UIDNEXT at the end of a pass), so
     * that mail stored later gets UIDs the old server never gave, and the {@link #copiedUpTo} mark with it.
     */
    Mono<Void> raiseUidNext(long accountId, long mailboxId, long uidNext);

    /**
     * Keeps the POP3 unique-ids the old server gave messages copied with their UIDs ({@code uidls}: UID to
     * unique-id); a UID with no message, or that has one already, is left out.
     */
    Mono<Void> keepUidls(long accountId, long mailboxId, Map<Long, String> uidls);

    /** The kept POP3 unique-ids of a mailbox's messages, by UID (empty for mail that came to Hato itself). */
    Mono<Map<Long, String>> uidls(long accountId, long mailboxId);
}
