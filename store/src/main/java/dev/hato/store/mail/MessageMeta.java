package dev.hato.store.mail;

import java.time.Instant;
import java.util.Set;

/** A message's row: what listing needs without reading content. {@code size} is the exact octet count of the blob. */
public record MessageMeta(long accountId, long mailboxId, long uid, long modseq, long blobId, long size,
                          Instant internalDate, Set<String> flags) { }
