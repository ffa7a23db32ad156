package dev.hato.store.mail;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A message's row: what listing needs without reading content. {@code size} is the exact octet count of the blob.
 * {@code originMailboxId} and {@code originUid} are the mailbox and UID the message's content was first stored with:
 * its own for a delivered or appended message, those of the original for a copy (COPY, MOVE, RENAME of INBOX). No
 * other message is ever stored with that pair, so it names the content for RFC 8474 EMAILID. {@code saveDate} is when
 * the message was saved into this mailbox (RFC 8514 SAVEDATE); null when that is not known (messages stored before
 * the store kept it).
 */
public record MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                          Instant internalDate, Set<String> flags, long originMailboxId, long originUid,
                          @Nullable Instant saveDate) {

    /** A message stored where it is (its own mailbox and UID are its origin), its save date not known or not read. */
    public MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                       Instant internalDate, Set<String> flags) {
        this(accountId, mailboxId, uid, modseq, blobId, size, internalDate, flags, mailboxId, uid, null);
    }

    /** A message stored where it is, saved at {@code saveDate}. */
    public MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                       Instant internalDate, Set<String> flags, @Nullable Instant saveDate) {
        this(accountId, mailboxId, uid, modseq, blobId, size, internalDate, flags, mailboxId, uid, saveDate);
    }

    /** A message with this origin, its save date not known or not read. */
    public MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                       Instant internalDate, Set<String> flags, long originMailboxId, long originUid) {
        this(accountId, mailboxId, uid, modseq, blobId, size, internalDate, flags, originMailboxId, originUid, null);
    }

    /** This message with {@code extra} flags added, e.g. IMAP's \Recent, which is per session and never stored. */
    public MessageMeta withFlags(Set<String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Set<String> all = new HashSet<>(flags);
        all.addAll(extra);
        return new MessageMeta(accountId, mailboxId, uid, modseq, blobId, size, internalDate, all, originMailboxId,
                originUid, saveDate);
    }
}
