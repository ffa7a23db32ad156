package dev.hato.store.mail;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stored message content by blob id: the octets, the first octets of several blobs at once, and the facts parsed
 * once per blob ({@link MessageFacts}). A blob is shared by every copy of a message (all recipients, COPY, the
 * outbound queue), so nothing here names an account or a mailbox: {@link Mailboxes} says which blobs an account
 * may read.
 */
public interface Blobs {

    /**
     * The blob's octets in order, in chunks of bounded size, streamed from the database. NoSuchElementException
     * when there is no such blob.
     */
    Flux<ByteBuffer> content(long blobId);

    /**
     * The first {@code lengths.get(blobId)} octets of several blobs, read at once (a FETCH of many messages' headers
     * costs one query instead of one per message). Only blobs whose requested octets are stored together are in the
     * answer (the PostgreSQL store: within the first chunk); the caller reads the others with {@link #content}.
     * Blobs that do not exist are absent; each length must be positive.
     */
    Mono<Map<Long, ByteBuffer>> heads(Map<Long, Integer> lengths);

    /** The {@link MessageFacts#structure()} stored for a blob; empty when none was stored. */
    Mono<byte[]> structure(long blobId);

    /** {@link #structure} of several blobs in one read; blobs without stored facts are absent from the map. */
    Mono<Map<Long, byte[]>> structures(Collection<Long> blobIds);

    /**
     * The RFC 8970 previews ({@link MessageFacts#preview()}) stored for several blobs, in one read; blobs without
     * stored facts, or with facts stored without a preview, are absent from the map.
     */
    Mono<Map<Long, String>> previews(Collection<Long> blobIds);

    /**
     * Stores the preview of a blob whose facts were stored without one; a blob that has a preview keeps it, and one
     * without facts is left alone ({@link #storeFacts} stores facts with their preview).
     */
    Mono<Void> storePreview(long blobId, String preview);

    /**
     * Stores the facts of a blob that has none yet (a message delivered before facts were parsed at delivery);
     * a blob that has facts keeps them. NoSuchElementException when there is no such blob.
     */
    Mono<Void> storeFacts(long blobId, MessageFacts facts);

    /**
     * The SHA-256 of several blobs' octets, by blob id, in one read; blobs that do not exist are absent. What an
     * import compares with to skip messages a mailbox already holds. This default reads every blob's octets; a store
     * that keeps the digest (the PostgreSQL store keys blobs by it) answers without reading them.
     */
    default Mono<Map<Long, byte[]>> digests(Collection<Long> blobIds) {
        return Flux.fromIterable(Set.copyOf(blobIds))
                .concatMap(id -> content(id)
                        .reduceWith(Blobs::sha256, (digest, chunk) -> {
                            digest.update(chunk.duplicate());
                            return digest;
                        })
                        .map(digest -> Map.entry(id, digest.digest()))
                        .onErrorResume(java.util.NoSuchElementException.class, gone -> Mono.empty()))
                .collectMap(Map.Entry::getKey, Map.Entry::getValue);
    }

    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
