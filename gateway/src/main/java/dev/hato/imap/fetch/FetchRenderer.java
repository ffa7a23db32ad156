package dev.hato.imap.fetch;

import dev.hato.imap.fetch.FetchSegment.Octets;
import dev.hato.imap.fetch.FetchSegment.Range;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.imap.wire.FetchAttribute.Body;
import dev.hato.imap.wire.FetchAttribute.Item;
import dev.hato.message.MessagePart;
import dev.hato.message.UnknownTransferEncodingException;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MessageMeta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Renders one {@code * n FETCH (...)} response (RFC 3501 §7.4.2, RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8474 EMAILID
 * and THREADID, RFC 8970 PREVIEW) as a stream of
 * octets. Everything whose size or failure must be known first (the structure, filtered header fields, decoded
 * BINARY sizes, an unknown transfer encoding) is worked out before the first octet is emitted, so a failure is
 * never half a response; then body sections stream as byte ranges of the blob, read from the store chunk by chunk,
 * their literal sizes computed from the part offsets the structure keeps.
 *
 * <p>A blob without stored structure (delivered before the facts existed) is parsed once with the {@link
 * MessageIndexer}, its facts stored through {@link Blobs#storeFacts}, and rendered from those. One the parser
 * fails on is served, like every other message of the range, from the indexer's opaque facts (one
 * application/octet-stream body after its header), stored the same way so that it is not parsed again; only a
 * failure to read or store (the database, I/O) fails the FETCH.
 *
 * <p>A FETCH of many messages is rendered in windows ({@link #prefetch}): the structures of a window's messages are
 * read in one query, and so are their top-level headers when an attribute needs them (HEADER, HEADER.FIELDS,
 * RFC822.HEADER, what mail clients ask of every message when they list a mailbox), instead of one or two queries
 * per message.
 *
 * <p>Memory: header fields to filter (HEADER.FIELDS) and a part header read for its transfer encoding (BINARY) are
 * held in memory, up to {@link #MAX_HEADER_OCTETS} (of a longer header, its first lines up to that size); a BINARY
 * section is decoded twice, once to count its octets and once to send them, never held.
 *
 * <p>This class plans the response and renders the items that need no octets of the message (FLAGS, UID, sizes,
 * dates, the structure's ENVELOPE, BODY and BODYSTRUCTURE, RFC822 ranges); the rest is in package-private parts:
 * {@link StructureLoader} reads structures and read-ahead from the store, {@link BodySection} plans BODY[section],
 * {@link BinarySection} BINARY and BINARY.SIZE, and a plan is a list of {@link FetchSegment}s read through a {@link
 * FetchedBlob}.
 */
public final class FetchRenderer {

    /** The largest header held to filter or to find a transfer encoding in; a longer one is refused. */
    public static final int MAX_HEADER_OCTETS = 4 * 1024 * 1024;

    /** The largest top-level header {@link #prefetch} reads ahead; a longer one is read when its message is rendered. */
    public static final int MAX_PREFETCHED_HEADER_OCTETS = 16 * 1024;

    private static final DateTimeFormatter INTERNALDATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z",
            Locale.ROOT);

    private final Blobs source;
    private final StructureLoader loader;
    private final ZoneId zone;

    /** {@code zone}: the time zone INTERNALDATE is shown in. */
    public FetchRenderer(Blobs source, MessageIndexer indexer, ZoneId zone) {
        this.source = source;
        this.loader = new StructureLoader(source, indexer);
        this.zone = zone;
    }

    /**
     * Whether fetching these attributes sets \Seen (RFC 3501 §6.4.5): BODY[...] and BINARY[...] without .PEEK,
     * RFC822 and RFC822.TEXT. The session sets the flag (unless the mailbox is read-only) before rendering.
     */
    public static boolean setsSeen(List<FetchAttribute> attributes) {
        for (FetchAttribute attribute : attributes) {
            boolean sets = attribute instanceof Body body ? !body.peek()
                    : attribute instanceof FetchAttribute.Binary binary ? !binary.peek()
                    : attribute instanceof FetchAttribute.Simple simple
                            && (simple.item() == Item.RFC822 || simple.item() == Item.RFC822_TEXT);
            if (sets) {
                return true;
            }
        }
        return false;
    }

    /**
     * The response for message {@code sequence}: the attributes in the order asked, UID first when {@code options}
     * adds it, FLAGS and MODSEQ last when added. Errors with {@link UnknownTransferEncodingException} (BINARY of a
     * part it cannot decode) before any octet.
     */
    public Flux<ByteBuffer> render(long sequence, MessageMeta meta, List<FetchAttribute> attributes,
                                   FetchOptions options) {
        return render(sequence, meta, attributes, options, Prefetched.NONE);
    }

    /** {@link #render} with what {@link #prefetch} read ahead for the window this message is in. */
    public Flux<ByteBuffer> render(long sequence, MessageMeta meta, List<FetchAttribute> attributes,
                                   FetchOptions options, Prefetched prefetched) {
        boolean needsStructure = attributes.stream().anyMatch(StructureLoader::needsStructure);
        MessageStructure known = prefetched.structures.get(meta.blobId());
        Mono<Optional<MessageStructure>> structure = !needsStructure ? Mono.just(Optional.empty())
                : known != null ? Mono.just(Optional.of(known))
                : loader.structure(meta.blobId()).map(Optional::of);
        FetchedBlob blob = new FetchedBlob(source, meta.blobId(), prefetched.heads.get(meta.blobId()));
        return structure.flatMap(found -> plan(sequence, meta, blob, attributes, options, found.orElse(null),
                        prefetched))
                .flatMapMany(segments -> Flux.fromIterable(segments).concatMap(segment -> segment.emit(blob)));
    }

    /**
     * Reads ahead, in one query each, what rendering {@code attributes} of these messages needs from the store: the
     * stored structures, and the top-level headers (up to {@link #MAX_PREFETCHED_HEADER_OCTETS} each) when an
     * attribute shows or filters them. Blobs without stored structure are left to {@link #render}, which backfills.
     */
    public Mono<Prefetched> prefetch(List<MessageMeta> messages, List<FetchAttribute> attributes) {
        return loader.prefetch(messages, attributes);
    }

    /**
     * What {@link #prefetch} read for a window of messages: decoded structures and top-level header octets by blob
     * id. Held only while the window renders.
     */
    public static final class Prefetched {
        /** Nothing read ahead: every message reads its own. */
        public static final Prefetched NONE = new Prefetched(Map.of(), Map.of(), Map.of());

        private final Map<Long, MessageStructure> structures;
        private final Map<Long, ByteBuffer> heads;
        private final Map<Long, String> previews;

        Prefetched(Map<Long, MessageStructure> structures, Map<Long, ByteBuffer> heads, Map<Long, String> previews) {
            this.structures = Map.copyOf(structures);
            this.heads = Map.copyOf(heads);
            this.previews = Map.copyOf(previews);
        }

        /** These with the stored RFC 8970 previews by blob id. */
        Prefetched withPreviews(Map<Long, String> stored) {
            return stored.isEmpty() ? this : new Prefetched(structures, heads, stored);
        }

        /** How many messages' structures, headers and previews were read ahead, for logs. */
        @Override
        public String toString() {
            return "Prefetched[" + structures.size() + " structures, " + heads.size() + " headers, "
                    + previews.size() + " previews]";
        }
    }

    private Mono<List<FetchSegment>> plan(long sequence, MessageMeta meta, FetchedBlob blob,
                                          List<FetchAttribute> attributes, FetchOptions options,
                                          @Nullable MessageStructure structure, Prefetched prefetched) {
        List<Mono<List<FetchSegment>>> items = new ArrayList<>();
        boolean askedUid = false;
        boolean askedFlags = false;
        boolean askedModseq = false;
        for (FetchAttribute attribute : attributes) {
            if (attribute instanceof FetchAttribute.Simple simple) {
                askedUid |= simple.item() == Item.UID;
                askedFlags |= simple.item() == Item.FLAGS;
                askedModseq |= simple.item() == Item.MODSEQ;
            }
        }
        if (options.uid() && !askedUid) {
            items.add(FetchSegment.text("UID " + meta.uid()));
        }
        for (FetchAttribute attribute : attributes) {
            items.add(item(attribute, meta, blob, structure, prefetched));
        }
        if (options.flags() && !askedFlags) {
            items.add(FetchSegment.text(flags(meta)));
        }
        if (options.modseq() && !askedModseq) {
            items.add(FetchSegment.text("MODSEQ (" + meta.modseq() + ")"));
        }
        return Flux.fromIterable(items).concatMap(item -> item).collectList().map(planned -> {
            List<FetchSegment> segments = new ArrayList<>();
            segments.add(new Octets("* " + sequence + " FETCH ("));
            for (int i = 0; i < planned.size(); i++) {
                if (i > 0) {
                    segments.add(new Octets(" "));
                }
                segments.addAll(planned.get(i));
            }
            segments.add(new Octets(")\r\n"));
            return FetchSegment.merged(segments);
        });
    }

    private Mono<List<FetchSegment>> item(FetchAttribute attribute, MessageMeta meta, FetchedBlob blob,
                                          @Nullable MessageStructure structure, Prefetched prefetched) {
        if (attribute instanceof FetchAttribute.Simple simple) {
            return simple(simple.item(), meta, structure);
        }
        if (attribute instanceof FetchAttribute.EmailId) {
            return FetchSegment.text("EMAILID (" + ObjectIds.emailId(meta) + ")");
        }
        if (attribute instanceof FetchAttribute.ThreadId) {
            return FetchSegment.text("THREADID NIL"); // RFC 8474 §5.2: NIL from a server without THREADID
        }
        if (attribute instanceof FetchAttribute.Preview preview) {
            return preview(meta, preview, prefetched);
        }
        if (attribute instanceof Body body) {
            return BodySection.plan(body, meta, blob, structure);
        }
        if (attribute instanceof FetchAttribute.Binary binary) {
            return BinarySection.plan(binary, meta, blob, structure);
        }
        return BinarySection.size((FetchAttribute.BinarySize) attribute, meta, blob, structure);
    }

    private Mono<List<FetchSegment>> simple(Item item, MessageMeta meta, @Nullable MessageStructure structure) {
        return switch (item) {
            case FLAGS -> FetchSegment.text(flags(meta));
            case INTERNALDATE -> FetchSegment.text("INTERNALDATE \"" + dateTime(meta.internalDate()) + "\"");
            // RFC 8514 §4.2, §5: "SAVEDATE" SP (date-time / nil); NIL for a message whose save date is not known.
            case SAVEDATE -> FetchSegment.text("SAVEDATE " + (meta.saveDate() == null ? "NIL"
                    : "\"" + dateTime(meta.saveDate()) + "\""));
            case RFC822_SIZE -> FetchSegment.text("RFC822.SIZE " + meta.size());
            case UID -> FetchSegment.text("UID " + meta.uid());
            case MODSEQ -> FetchSegment.text("MODSEQ (" + meta.modseq() + ")");
            case ENVELOPE -> FetchSegment.text("ENVELOPE " + StructureLoader.required(structure).envelope());
            case BODY -> FetchSegment.text("BODY " + StructureLoader.required(structure).body());
            case BODYSTRUCTURE -> FetchSegment.text("BODYSTRUCTURE "
                    + StructureLoader.required(structure).bodyStructure());
            case RFC822 -> Mono.just(FetchSegment.literal("RFC822 ", Range.inLiteral(0, meta.size())));
            case RFC822_HEADER -> {
                MessagePart root = StructureLoader.required(structure).root();
                yield Mono.just(FetchSegment.literal("RFC822.HEADER ",
                        Range.inLiteral(root.headerStart(), root.bodyStart())));
            }
            case RFC822_TEXT -> {
                MessagePart root = StructureLoader.required(structure).root();
                yield Mono.just(FetchSegment.literal("RFC822.TEXT ", Range.inLiteral(root.bodyStart(), root.end())));
            }
        };
    }

    /**
     * RFC 8970 §3.2: the stored preview; for a message stored without one, NIL under LAZY (§4.1: it cannot be had
     * "without undue delay"), else made now ({@link StructureLoader#preview}). The preview is UTF-8 (§3.3); as a
     * quoted string may hold only 7-bit characters (RFC 3501 §9), one with others is sent as a literal, whose octets
     * may be 8-bit in any session.
     */
    private Mono<List<FetchSegment>> preview(MessageMeta meta, FetchAttribute.Preview attribute,
                                             Prefetched prefetched) {
        String stored = prefetched.previews.get(meta.blobId());
        Mono<Optional<String>> text = stored != null ? Mono.just(Optional.of(stored))
                : attribute.lazy() ? Mono.just(Optional.empty())
                : loader.preview(meta.blobId()).map(Optional::of);
        return text.flatMap(found -> {
            StringBuilder out = new StringBuilder("PREVIEW ");
            ImapText.nstring(out, found.map(FetchRenderer::octets).orElse(null));
            return FetchSegment.text(out.toString());
        });
    }

    /** UTF-8 octets held one per char, as protocol text is. */
    private static String octets(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    private static String flags(MessageMeta meta) {
        // a stable order keeps responses comparable; RFC 3501 does not prescribe one
        Set<String> sorted = new TreeSet<>(meta.flags());
        return "FLAGS (" + String.join(" ", sorted) + ")";
    }

    /** RFC 3501 §9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", the day space-padded (date-day-fixed). */
    private String dateTime(Instant instant) {
        String formatted = INTERNALDATE.format(instant.atZone(zone));
        return formatted.charAt(0) == '0' ? " " + formatted.substring(1) : formatted;
    }
}
