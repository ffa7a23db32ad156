package dev.hato.store.mail;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** A message's row: what listing needs without reading content. {@code size} is the exact octet count of the blob. */
public record MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                          Instant internalDate, Set<String> flags) {

    /** This message with {@code extra} flags added, e.g. IMAP's \Recent, which is per session and never stored. */
    public MessageMeta withFlags(Set<String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        Set<String> all = new HashSet<>(flags);
        all.addAll(extra);
        return new MessageMeta(accountId, mailboxId, uid, modseq, blobId, size, internalDate, all);
    }
}
