package dev.hato.imap.fetch;

import dev.hato.imap.wire.FetchAttribute;
import dev.hato.imap.wire.FetchAttribute.Body;
import dev.hato.imap.wire.FetchAttribute.Item;
import dev.hato.imap.wire.FetchAttribute.Text;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MessageMeta;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Reads from the store what rendering a FETCH needs besides the section octets themselves: the {@link
 * MessageStructure} of a message, and, for a window of a FETCH of many messages, the structures and top-level
 * headers of all its messages in one query each ({@link FetchRenderer.Prefetched}). Kept apart from the rendering so
 * that what is read, how often, and when a message is parsed again is decided in one place.
 *
 * <p>A blob without a readable stored structure (delivered before the facts existed, or stored in a format no longer
 * read) is parsed once with the {@link MessageIndexer} and its facts stored through {@link Blobs#storeFacts}; one the
 * parser fails on gets the indexer's opaque facts, stored the same way, so it is not parsed again. A blob whose facts
 * were stored without an RFC 8970 preview is parsed again the same way for its preview ({@link #preview}).
 */
final class StructureLoader {

    private final Blobs source;
    private final MessageIndexer indexer;

    StructureLoader(Blobs source, MessageIndexer indexer) {
        this.source = source;
        this.indexer = indexer;
    }

    /**
     * Reads ahead, in one query each, what rendering {@code attributes} of these messages needs: the stored
     * structures, and the top-level headers (up to {@link FetchRenderer#MAX_PREFETCHED_HEADER_OCTETS} each) when an
     * attribute shows or filters them. Blobs without stored structure are left to {@link #structure}, which
     * backfills.
     */
    Mono<FetchRenderer.Prefetched> prefetch(List<MessageMeta> messages, List<FetchAttribute> attributes) {
        if (messages.isEmpty()) {
            return Mono.just(FetchRenderer.Prefetched.NONE);
        }
        List<Long> blobs = messages.stream().map(MessageMeta::blobId).distinct().toList();
        Mono<Map<Long, String>> previews = attributes.stream().anyMatch(FetchAttribute.Preview.class::isInstance)
                ? source.previews(blobs) : Mono.just(Map.of());
        return structures(blobs, attributes).flatMap(prefetched -> previews.map(prefetched::withPreviews));
    }

    /** The structures and heads of {@link #prefetch}. */
    private Mono<FetchRenderer.Prefetched> structures(List<Long> blobs, List<FetchAttribute> attributes) {
        if (attributes.stream().noneMatch(StructureLoader::needsStructure)) {
            return Mono.just(FetchRenderer.Prefetched.NONE);
        }
        boolean headers = attributes.stream().anyMatch(StructureLoader::showsTopHeader);
        return source.structures(blobs).flatMap(encoded -> {
            Map<Long, MessageStructure> structures = new HashMap<>();
            Map<Long, Integer> lengths = new HashMap<>();
            encoded.forEach((blobId, bytes) -> {
                MessageStructure structure = readable(bytes);
                if (structure == null) {
                    return; // left to structure(), which parses the message again
                }
                structures.put(blobId, structure);
                long length = structure.root().bodyStart() - structure.root().headerStart();
                if (headers && structure.root().headerStart() == 0 && length > 0
                        && length <= FetchRenderer.MAX_PREFETCHED_HEADER_OCTETS) {
                    lengths.put(blobId, (int) length);
                }
            });
            Mono<Map<Long, ByteBuffer>> heads = lengths.isEmpty() ? Mono.just(Map.of()) : source.heads(lengths);
            return heads.map(read -> new FetchRenderer.Prefetched(structures, read, Map.of()));
        });
    }

    /**
     * The RFC 8970 preview of a blob whose facts hold none (stored before previews were made, or never stored): the
     * message is parsed once more, as for a missing structure, and the preview (with the facts, when there were
     * none) stored, so that this happens once per blob.
     */
    Mono<String> preview(long blobId) {
        return indexer.index(source.content(blobId), "blob " + blobId).flatMap(facts -> {
            String preview = facts.preview() == null ? "" : facts.preview();
            return source.storeFacts(blobId, facts).then(source.storePreview(blobId, preview)).thenReturn(preview);
        });
    }

    /** The stored structure, or, for a blob without one (or with one in a format no longer read), a backfill. */
    Mono<MessageStructure> structure(long blobId) {
        return source.structure(blobId)
                .flatMap(encoded -> Mono.justOrEmpty(readable(encoded)))
                .switchIfEmpty(Mono.defer(() -> indexer.index(source.content(blobId), "blob " + blobId)
                        .flatMap(facts -> source.storeFacts(blobId, facts)
                                .thenReturn(MessageStructure.decode(facts.structure())))));
    }

    /** Whether rendering the attribute needs the message's structure (not FLAGS, sizes, dates, whole bodies). */
    static boolean needsStructure(FetchAttribute attribute) {
        if (attribute instanceof FetchAttribute.Simple simple) {
            return switch (simple.item()) {
                case ENVELOPE, BODY, BODYSTRUCTURE, RFC822_HEADER, RFC822_TEXT -> true;
                default -> false;
            };
        }
        if (attribute instanceof Body body) {
            return !body.section().part().isEmpty() || body.section().text() != null;
        }
        if (attribute instanceof FetchAttribute.Binary binary) {
            return !binary.part().isEmpty();
        }
        return attribute instanceof FetchAttribute.BinarySize size && !size.part().isEmpty();
    }

    /** The structure an attribute that {@link #needsStructure} renders from; read before planning began. */
    static MessageStructure required(@Nullable MessageStructure structure) {
        if (structure == null) {
            throw new IllegalStateException("structure was not read");
        }
        return structure;
    }

    /** Whether the attribute sends or filters the message's own header (not a part's). */
    private static boolean showsTopHeader(FetchAttribute attribute) {
        if (attribute instanceof FetchAttribute.Simple simple) {
            return simple.item() == Item.RFC822_HEADER;
        }
        return attribute instanceof Body body && body.section().part().isEmpty()
                && (body.section().text() == Text.HEADER || body.section().text() == Text.HEADER_FIELDS
                        || body.section().text() == Text.HEADER_FIELDS_NOT);
    }

    /** The stored structure decoded; null for one in a format no longer read (the caller parses the message again). */
    private static @Nullable MessageStructure readable(byte[] encoded) {
        try {
            return MessageStructure.decode(encoded);
        } catch (IllegalArgumentException unreadable) {
            return null;
        }
    }
}
