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
     * UID, which becomes the last plus one. CANNOT when a UID is below the next UID (it may have been given already).
     */
    Mono<List<AppendResult>> appendWithUids(long accountId, long mailboxId, List<NewMessage> messages, List<Long> uids);

    /**
     * Raises the mailbox's next UID to at least {@code uidNext} (the old server's UIDNEXT), so that mail stored later
     * gets UIDs the old server never gave.
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
