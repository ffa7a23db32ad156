package dev.hato.store.mail;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Reading and changing stored messages of one account at a time. */
public interface MessageStore {
    Mono<Mailbox> mailbox(long accountId, String name);

    /** Messages of a mailbox in UID order. */
    Flux<MessageMeta> messages(long accountId, long mailboxId);

    /** The blob's bytes in order, in chunks of bounded size, streamed from the database. */
    Flux<ByteBuffer> content(long blobId);

    /**
     * The first {@code lengths.get(blobId)} octets of several blobs, read at once (a FETCH of many messages' headers
     * costs one query instead of one per message). Only blobs whose requested octets are stored together are in the
     * answer (the PostgreSQL store: within the first chunk); the caller reads the others with {@link #content}.
     * Blobs that do not exist are absent; each length must be positive.
     */
    Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths);

    /** Removes these UIDs in one transaction, recording the expunges in the change log. */
    Mono<Void> expunge(long accountId, long mailboxId, Collection<Long> uids);

    /**
     * Takes or renews an exclusive lease on a mailbox for {@code owner} (e.g. a POP3 session), valid across gateway
     * nodes sharing the database. Emits false while another owner's lease has not expired.
     */
    Mono<Boolean> lease(long accountId, long mailboxId, String owner, Duration duration);

    Mono<Void> release(long accountId, long mailboxId, String owner);
}
