package dev.hato.imap.fetch;

import dev.hato.store.MessageFacts;
import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What {@link FetchRenderer} reads a message through; the IMAP session adapts the store to it
 * ({@code MessageStore.content}, {@code Mailboxes.structure} and storing facts for a blob).
 */
public interface MessageSource {

    /** The blob's octets in order, in chunks of bounded size. */
    Flux<ByteBuffer> content(long blobId);

    /** The encoded {@link MessageStructure} kept for the blob ({@link MessageFacts#structure()}); empty when none. */
    Mono<byte[]> structure(long blobId);

    /** Keeps facts computed later for a blob that had none (a backfill); completes once they are stored. */
    Mono<Void> storeFacts(long blobId, MessageFacts facts);
}
