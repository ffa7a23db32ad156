package dev.hato.imap.fetch;

import dev.hato.message.MessagePart;
import dev.hato.store.mail.Blobs;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The blob of the message being rendered, with its top-level header when {@link FetchRenderer#prefetch} read it
 * ahead. Every octet a FETCH response takes from the message comes through here, so a range the read-ahead holds is
 * served from memory and any other is streamed from the store chunk by chunk, cancelled once its end is reached.
 */
final class FetchedBlob {

    private final Blobs source;
    private final long blobId;
    private final @Nullable ByteBuffer head;

    FetchedBlob(Blobs source, long blobId, @Nullable ByteBuffer head) {
        this.source = source;
        this.blobId = blobId;
        this.head = head;
    }

    /** Octets {@code start} to {@code end} (exclusive): from the head read ahead when it holds them. */
    Flux<ByteBuffer> slice(long start, long end) {
        if (head != null && end <= head.remaining()) {
            return Flux.just(head.duplicate().position(head.position() + (int) start)
                    .limit(head.position() + (int) end).slice());
        }
        return ByteRanges.slice(source.content(blobId), start, end);
    }

    /**
     * The header octets of an entity, held: all of them, or for a header longer than {@link
     * FetchRenderer#MAX_HEADER_OCTETS} (stored before the door's limits) its first lines up to that size, so that
     * HEADER.FIELDS and BINARY answer from what can be read instead of failing the FETCH.
     */
    Mono<byte[]> header(MessagePart entity) {
        long length = Math.min(FetchRenderer.MAX_HEADER_OCTETS, entity.bodyStart() - entity.headerStart());
        boolean cut = length < entity.bodyStart() - entity.headerStart();
        return slice(entity.headerStart(), entity.headerStart() + length)
                .collect(() -> new ByteArrayOutputStream((int) length), (out, chunk) -> {
                    byte[] octets = new byte[chunk.remaining()];
                    chunk.duplicate().get(octets);
                    out.writeBytes(octets);
                })
                .map(out -> {
                    byte[] octets = out.toByteArray();
                    if (!cut) {
                        return octets;
                    }
                    int end = octets.length;
                    while (end > 0 && octets[end - 1] != '\n') {
                        end--; // a field cut in the middle is left out
                    }
                    return Arrays.copyOf(octets, end);
                });
    }
}
