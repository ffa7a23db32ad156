package dev.hato.store.mail;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * A message's row: what listing needs without reading content. {@code size} is the exact octet count of the blob.
 * {@code originMailboxId} and {@code originUid} are the mailbox and UID the message's content was first stored with:
 * its own for a delivered or appended message, those of the original for a copy (COPY, MOVE, RENAME of INBOX). No
 * other message is ever stored with that pair, so it names the content for RFC 8474 EMAILID.
 */
public record MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                          Instant internalDate, Set<String> flags, long originMailboxId, long originUid) {

    /** A message stored where it is: its own mailbox and UID are its origin. */
    public MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                       Instant internalDate, Set<String> flags) {
        this(accountId, mailboxId, uid, modseq, blobId, size, internalDate, flags, mailboxId, uid);
    }

    /** This message with {@code extra} flags added, e.g. IMAP's \Recent, which is per session and never stored. */
    public MessageMeta withFlags(Set<String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Set<String> all = new HashSet<>(flags);
        all.addAll(extra);
        return new MessageMeta(accountId, mailboxId, uid, modseq, blobId, size, internalDate, all, originMailboxId,
                originUid);
    }
}
