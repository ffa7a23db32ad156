package dev.hato.store.mail;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A message's row: what listing needs without reading content. {@code size} is the exact octet count of the blob.
 * {@code saveDate} is when the message was saved into this mailbox (RFC 8514 SAVEDATE); null when that is not known
 * (messages stored before the store kept it).
 */
public record MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                          Instant internalDate, Set<String> flags, @Nullable Instant saveDate) {

    /** A message whose save date is not known (or not read). */
    public MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                       Instant internalDate, Set<String> flags) {
        this(accountId, mailboxId, uid, modseq, blobId, size, internalDate, flags, null);
    }

    /** This message with {@code extra} flags added, e.g. IMAP's \Recent, which is per session and never stored. */
    public MessageMeta withFlags(Set<String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Set<String> all = new HashSet<>(flags);
        all.addAll(extra);
        return new MessageMeta(accountId, mailboxId, uid, modseq, blobId, size, internalDate, all, saveDate);
    }
}
