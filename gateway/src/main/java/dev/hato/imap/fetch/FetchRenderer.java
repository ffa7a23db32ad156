package dev.hato.imap.fetch;

import dev.hato.imap.wire.FetchAttribute.Body;
import dev.hato.imap.wire.FetchAttribute.Item;
import dev.hato.imap.wire.FetchAttribute.Section;
import dev.hato.imap.wire.FetchAttribute.Text;
import dev.hato.imap.wire.FetchAttribute;
import dev.hato.message.HeaderFields;
import dev.hato.message.MessagePart;
import dev.hato.message.TransferDecoder;
import dev.hato.message.UnknownTransferEncodingException;
import dev.hato.store.mail.MessageMeta;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Renders one {@code * n FETCH (...)} response (RFC 3501 §7.4.2, RFC 3516 BINARY, RFC 7162 MODSEQ) as a stream of
 * octets. Everything whose size or failure must be known first (the structure, filtered header fields, decoded
 * BINARY sizes, an unknown transfer encoding) is worked out before the first octet is emitted, so a failure is
 * never half a response; then body sections stream as byte ranges of the blob, read from the store chunk by chunk,
 * their literal sizes computed from the part offsets the structure keeps.
 *
 * <p>A blob without stored structure (delivered before the facts existed) is parsed once with the {@link
 * MessageIndexer}, its facts stored through {@link MessageSource#storeFacts}, and rendered from those. One the parser
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
 * held in memory, up to {@link #MAX_HEADER_OCTETS} (of a longer header, its first lines up to that size); a BINARY section is decoded twice, once to count its octets
 * and once to send them, never held.
 */
public final class FetchRenderer {

    /** The largest header held to filter or to find a transfer encoding in; a longer one is refused. */
    public static final int MAX_HEADER_OCTETS = 4 * 1024 * 1024;

    /** The largest top-level header {@link #prefetch} reads ahead; a longer one is read when its message is rendered. */
    public static final int MAX_PREFETCHED_HEADER_OCTETS = 16 * 1024;

    private static final DateTimeFormatter INTERNALDATE = DateTimeFormatter.ofPattern("dd-MMM-yyyy HH:mm:ss Z",
            Locale.ROOT);

    private final MessageSource source;
    private final MessageIndexer indexer;
    private final ZoneId zone;

    /** {@code zone}: the time zone INTERNALDATE is shown in. */
    public FetchRenderer(MessageSource source, MessageIndexer indexer, ZoneId zone) {
        this.source = source;
        this.indexer = indexer;
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
        boolean needsStructure = attributes.stream().anyMatch(FetchRenderer::needsStructure);
        MessageStructure known = prefetched.structures.get(meta.blobId());
        Mono<Optional<MessageStructure>> structure = !needsStructure ? Mono.just(Optional.empty())
                : known != null ? Mono.just(Optional.of(known))
                : structure(meta.blobId()).map(Optional::of);
        Blob blob = new Blob(meta.blobId(), prefetched.heads.get(meta.blobId()));
        return structure.flatMap(found -> plan(sequence, meta, blob, attributes, options, found.orElse(null)))
                .flatMapMany(segments -> Flux.fromIterable(segments).concatMap(segment -> segment.emit(blob)));
    }

    /**
     * Reads ahead, in one query each, what rendering {@code attributes} of these messages needs from the store: the
     * stored structures, and the top-level headers (up to {@link #MAX_PREFETCHED_HEADER_OCTETS} each) when an
     * attribute shows or filters them. Blobs without stored structure are left to {@link #render}, which backfills.
     */
    public Mono<Prefetched> prefetch(List<MessageMeta> messages, List<FetchAttribute> attributes) {
        if (messages.isEmpty() || attributes.stream().noneMatch(FetchRenderer::needsStructure)) {
            return Mono.just(Prefetched.NONE);
        }
        boolean headers = attributes.stream().anyMatch(FetchRenderer::showsTopHeader);
        List<Long> blobs = messages.stream().map(MessageMeta::blobId).distinct().toList();
        return source.structures(blobs).flatMap(encoded -> {
            Map<Long, MessageStructure> structures = new HashMap<>();
            Map<Long, Integer> lengths = new HashMap<>();
            encoded.forEach((blobId, bytes) -> {
                MessageStructure structure = readable(bytes);
                if (structure == null) {
                    return; // left to render(), which parses the message again
                }
                structures.put(blobId, structure);
                long length = structure.root().bodyStart() - structure.root().headerStart();
                if (headers && structure.root().headerStart() == 0 && length > 0
                        && length <= MAX_PREFETCHED_HEADER_OCTETS) {
                    lengths.put(blobId, (int) length);
                }
            });
            Mono<Map<Long, ByteBuffer>> heads = lengths.isEmpty() ? Mono.just(Map.of()) : source.heads(lengths);
            return heads.map(read -> new Prefetched(structures, read));
        });
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

    /**
     * What {@link #prefetch} read for a window of messages: decoded structures and top-level header octets by blob
     * id. Held only while the window renders.
     */
    public static final class Prefetched {
        /** Nothing read ahead: every message reads its own. */
        public static final Prefetched NONE = new Prefetched(Map.of(), Map.of());

        private final Map<Long, MessageStructure> structures;
        private final Map<Long, ByteBuffer> heads;

        private Prefetched(Map<Long, MessageStructure> structures, Map<Long, ByteBuffer> heads) {
            this.structures = Map.copyOf(structures);
            this.heads = Map.copyOf(heads);
        }

        /** How many messages' structures and headers were read ahead, for logs. */
        @Override
        public String toString() {
            return "Prefetched[" + structures.size() + " structures, " + heads.size() + " headers]";
        }
    }

    /** The blob being rendered, with its first octets when they were read ahead. */
    private final class Blob {
        private final long blobId;
        private final @Nullable ByteBuffer head;

        Blob(long blobId, @Nullable ByteBuffer head) {
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
    }

    private static boolean needsStructure(FetchAttribute attribute) {
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
        return !((FetchAttribute.BinarySize) attribute).part().isEmpty();
    }

    /** The stored structure, or, for a blob without one (or with one in a format no longer read), a backfill. */
    private Mono<MessageStructure> structure(long blobId) {
        return source.structure(blobId)
                .flatMap(encoded -> Mono.justOrEmpty(readable(encoded)))
                .switchIfEmpty(Mono.defer(() -> indexer.index(source.content(blobId), "blob " + blobId)
                        .flatMap(facts -> source.storeFacts(blobId, facts)
                                .thenReturn(MessageStructure.decode(facts.structure())))));
    }

    /** The stored structure decoded; null for one in a format no longer read (the caller parses the message again). */
    private static @Nullable MessageStructure readable(byte[] encoded) {
        try {
            return MessageStructure.decode(encoded);
        } catch (IllegalArgumentException unreadable) {
            return null;
        }
    }

    private Mono<List<Segment>> plan(long sequence, MessageMeta meta, Blob blob, List<FetchAttribute> attributes,
                                     FetchOptions options, @Nullable MessageStructure structure) {
        List<Mono<List<Segment>>> items = new ArrayList<>();
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
            items.add(text("UID " + meta.uid()));
        }
        for (FetchAttribute attribute : attributes) {
            items.add(item(attribute, meta, blob, structure));
        }
        if (options.flags() && !askedFlags) {
            items.add(text(flags(meta)));
        }
        if (options.modseq() && !askedModseq) {
            items.add(text("MODSEQ (" + meta.modseq() + ")"));
        }
        return Flux.fromIterable(items).concatMap(item -> item).collectList().map(planned -> {
            List<Segment> segments = new ArrayList<>();
            segments.add(new Octets("* " + sequence + " FETCH ("));
            for (int i = 0; i < planned.size(); i++) {
                if (i > 0) {
                    segments.add(new Octets(" "));
                }
                segments.addAll(planned.get(i));
            }
            segments.add(new Octets(")\r\n"));
            return merged(segments);
        });
    }

    private Mono<List<Segment>> item(FetchAttribute attribute, MessageMeta meta, Blob blob,
                                     @Nullable MessageStructure structure) {
        if (attribute instanceof FetchAttribute.Simple simple) {
            return simple(simple.item(), meta, structure);
        }
        if (attribute instanceof Body body) {
            return body(body, meta, blob, structure);
        }
        if (attribute instanceof FetchAttribute.Binary binary) {
            return binary(binary, meta, blob, structure);
        }
        return binarySize((FetchAttribute.BinarySize) attribute, meta, blob, structure);
    }

    private Mono<List<Segment>> simple(Item item, MessageMeta meta, @Nullable MessageStructure structure) {
        return switch (item) {
            case FLAGS -> text(flags(meta));
            case INTERNALDATE -> text("INTERNALDATE \"" + internalDate(meta) + "\"");
            case RFC822_SIZE -> text("RFC822.SIZE " + meta.size());
            case UID -> text("UID " + meta.uid());
            case MODSEQ -> text("MODSEQ (" + meta.modseq() + ")");
            case ENVELOPE -> text("ENVELOPE " + required(structure).envelope());
            case BODY -> text("BODY " + required(structure).body());
            case BODYSTRUCTURE -> text("BODYSTRUCTURE " + required(structure).bodyStructure());
            case RFC822 -> Mono.just(literal("RFC822 ", new Range(0, meta.size())));
            case RFC822_HEADER -> {
                MessagePart root = required(structure).root();
                yield Mono.just(literal("RFC822.HEADER ", new Range(root.headerStart(), root.bodyStart())));
            }
            case RFC822_TEXT -> {
                MessagePart root = required(structure).root();
                yield Mono.just(literal("RFC822.TEXT ", new Range(root.bodyStart(), root.end())));
            }
        };
    }

    private static MessageStructure required(@Nullable MessageStructure structure) {
        if (structure == null) {
            throw new IllegalStateException("structure was not read");
        }
        return structure;
    }

    /** RFC 3501 §6.4.5 BODY[section]&lt;partial&gt;; the response names the section as asked, without .PEEK. */
    private Mono<List<Segment>> body(Body body, MessageMeta meta, Blob blob, @Nullable MessageStructure structure) {
        Section section = body.section();
        FetchAttribute.Partial partial = body.partial();
        String name = "BODY[" + spec(section) + "]" + (partial == null ? "" : "<" + partial.offset() + ">") + " ";
        if (section.part().isEmpty() && section.text() == null) {
            return Mono.just(partialLiteral(name, new Range(0, meta.size()), partial));
        }
        MessagePart root = required(structure).root();
        MessagePart part = section.part().isEmpty() ? root : root.section(path(section.part())).orElse(null);
        if (part == null) {
            return text(name + "NIL");
        }
        Text kind = section.text();
        if (kind == null) {
            return Mono.just(partialLiteral(name, new Range(part.bodyStart(), part.end()), partial));
        }
        if (kind == Text.MIME) {
            return Mono.just(partialLiteral(name, new Range(part.headerStart(), part.bodyStart()), partial));
        }
        // HEADER, HEADER.FIELDS and TEXT of a part number name the message a message/rfc822 part encapsulates
        MessagePart message = section.part().isEmpty() ? root
                : part.kind() == MessagePart.Kind.MESSAGE ? part.children().get(0) : null;
        if (message == null) {
            return text(name + "NIL");
        }
        return switch (kind) {
            case TEXT -> Mono.just(partialLiteral(name, new Range(message.bodyStart(), message.end()), partial));
            case HEADER -> Mono.just(partialLiteral(name, new Range(message.headerStart(), message.bodyStart()),
                    partial));
            case HEADER_FIELDS, HEADER_FIELDS_NOT -> header(blob, message)
                    .map(header -> {
                        byte[] filtered = HeaderFields.filter(header, section.fields(),
                                kind == Text.HEADER_FIELDS_NOT);
                        return partialLiteral(name, new Held(filtered), partial);
                    });
            case MIME -> throw new IllegalStateException("MIME was handled above");
        };
    }

    /** RFC 3516 §4.2 BINARY[part]&lt;partial&gt;: the part's content with its transfer encoding undone. */
    private Mono<List<Segment>> binary(FetchAttribute.Binary binary, MessageMeta meta, Blob blob,
                                       @Nullable MessageStructure structure) {
        FetchAttribute.Partial partial = binary.partial();
        String name = "BINARY[" + numbers(binary.part()) + "]"
                + (partial == null ? "" : "<" + partial.offset() + ">") + " ";
        if (binary.part().isEmpty()) {
            return Mono.just(partialLiteral(name, new Range(0, meta.size()), partial));
        }
        return decodedPart(binary.part(), blob, required(structure)).flatMap(decoded -> {
            if (decoded.isEmpty()) {
                return text(name + "NIL");
            }
            Decoded content = decoded.get();
            return content.measure(blob).map(measure -> {
                long start = partial == null ? 0 : Math.min(partial.offset(), measure.size());
                long end = partial == null ? measure.size() : Math.min(measure.size(), start + partial.length());
                List<Segment> segments = new ArrayList<>();
                // RFC 3516 §4.2: literal8 ("~{n}") when the decoded octets include NUL
                segments.add(new Octets(name + (measure.nul() ? "~{" : "{") + (end - start) + "}\r\n"));
                segments.add(content.window(start, end));
                return segments;
            });
        });
    }

    /** RFC 3516 §4.2 BINARY.SIZE[part]: the size of the decoded part. */
    private Mono<List<Segment>> binarySize(FetchAttribute.BinarySize size, MessageMeta meta, Blob blob,
                                           @Nullable MessageStructure structure) {
        String name = "BINARY.SIZE[" + numbers(size.part()) + "] ";
        if (size.part().isEmpty()) {
            return text(name + meta.size());
        }
        return decodedPart(size.part(), blob, required(structure)).flatMap(decoded -> decoded.isEmpty()
                ? text(name + "NIL")
                : decoded.get().measure(blob).flatMap(measure -> text(name + measure.size())));
    }

    /** The part's body with the decoder its Content-Transfer-Encoding names; empty when there is no such part. */
    private Mono<Optional<Decoded>> decodedPart(List<Integer> numbers, Blob blob, MessageStructure structure) {
        Optional<MessagePart> found = structure.root().section(path(numbers));
        if (found.isEmpty()) {
            return Mono.just(Optional.empty());
        }
        MessagePart part = found.get();
        Range body = new Range(part.bodyStart(), part.end());
        if (part.kind() != MessagePart.Kind.LEAF) {
            // multipart and message/rfc822 bodies carry no encoding of their own (RFC 2045 §6.4)
            return Mono.just(Optional.of(new Decoded(body, () -> TransferDecoder.forMechanism(null))));
        }
        return header(blob, part).map(header -> {
            String mechanism = HeaderFields.transferEncoding(header);
            if (TransferDecoder.forMechanism(mechanism) == null) {
                throw new UnknownTransferEncodingException(String.valueOf(mechanism));
            }
            return Optional.of(new Decoded(body, () -> TransferDecoder.forMechanism(mechanism)));
        });
    }

    /**
     * The header octets of an entity, held: all of them, or for a header longer than {@link #MAX_HEADER_OCTETS}
     * (stored before the door's limits) its first lines up to that size, so that HEADER.FIELDS and BINARY answer
     * from what can be read instead of failing the FETCH.
     */
    private Mono<byte[]> header(Blob blob, MessagePart entity) {
        long length = Math.min(MAX_HEADER_OCTETS, entity.bodyStart() - entity.headerStart());
        boolean cut = length < entity.bodyStart() - entity.headerStart();
        return blob.slice(entity.headerStart(), entity.headerStart() + length)
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

    private static int[] path(List<Integer> numbers) {
        return numbers.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String numbers(List<Integer> numbers) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < numbers.size(); i++) {
            if (i > 0) {
                out.append('.');
            }
            out.append(numbers.get(i));
        }
        return out.toString();
    }

    /** The section spec as RFC 3501 §9 writes it, for the response to name the section that was asked for. */
    static String spec(Section section) {
        StringBuilder out = new StringBuilder(numbers(section.part()));
        Text text = section.text();
        if (text == null) {
            return out.toString();
        }
        if (!section.part().isEmpty()) {
            out.append('.');
        }
        switch (text) {
            case HEADER -> out.append("HEADER");
            case TEXT -> out.append("TEXT");
            case MIME -> out.append("MIME");
            case HEADER_FIELDS, HEADER_FIELDS_NOT -> {
                out.append(text == Text.HEADER_FIELDS ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (");
                for (int i = 0; i < section.fields().size(); i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    astring(out, section.fields().get(i));
                }
                out.append(')');
            }
        }
        return out.toString();
    }

    /** RFC 3501 §9 astring: an atom when the name is one, else a quoted string. */
    private static void astring(StringBuilder out, String value) {
        boolean atom = !value.isEmpty();
        for (int i = 0; i < value.length() && atom; i++) {
            char c = value.charAt(i);
            atom = c > ' ' && c < 0x7F && "(){%*\"\\]".indexOf(c) < 0;
        }
        if (atom) {
            out.append(value);
        } else {
            ImapText.nstring(out, value);
        }
    }

    private static String flags(MessageMeta meta) {
        // a stable order keeps responses comparable; RFC 3501 does not prescribe one
        Set<String> sorted = new TreeSet<>(meta.flags());
        return "FLAGS (" + String.join(" ", sorted) + ")";
    }

    /** RFC 3501 §9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", the day space-padded (date-day-fixed). */
    private String internalDate(MessageMeta meta) {
        String formatted = INTERNALDATE.format(meta.internalDate().atZone(zone));
        return formatted.charAt(0) == '0' ? " " + formatted.substring(1) : formatted;
    }

    private static Mono<List<Segment>> text(String text) {
        return Mono.just(List.of(new Octets(text)));
    }

    private static List<Segment> literal(String name, Content content) {
        return partialLiteral(name, content, null);
    }

    /**
     * {@code name {n}CRLF} and the content, cut to {@code <origin.length>} (RFC 3501 §6.4.5: an origin past the
     * end gives an empty string, a length past the end gives what there is).
     */
    private static List<Segment> partialLiteral(String name, Content content, FetchAttribute.@Nullable Partial partial) {
        Content window = partial == null ? content : content.window(partial.offset(), partial.length());
        return List.of(new Octets(name + "{" + window.size() + "}\r\n"), (Segment) window);
    }

    private static List<Segment> merged(List<Segment> segments) {
        List<Segment> merged = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (Segment segment : segments) {
            if (segment instanceof Octets octets) {
                pending.append(octets.text());
            } else {
                if (!pending.isEmpty()) {
                    merged.add(new Octets(pending.toString()));
                    pending.setLength(0);
                }
                merged.add(segment);
            }
        }
        if (!pending.isEmpty()) {
            merged.add(new Octets(pending.toString()));
        }
        return merged;
    }

    /** A piece of the response. */
    private sealed interface Segment permits Octets, Content, DecodedWindow {
        Flux<ByteBuffer> emit(Blob blob);
    }

    /** Protocol text, octets held one per char. */
    private record Octets(String text) implements Segment {
        @Override
        public Flux<ByteBuffer> emit(Blob blob) {
            return Flux.just(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    /** Octets whose size is known before they are sent. */
    private sealed interface Content extends Segment permits Range, Held {
        long size();

        Content window(long offset, long length);
    }

    /** A byte range of the blob, streamed. */
    private final class Range implements Content {
        private final long start;
        private final long end;

        Range(long start, long end) {
            this.start = start;
            this.end = Math.max(start, end);
        }

        @Override
        public long size() {
            return end - start;
        }

        @Override
        public Content window(long offset, long length) {
            long from = Math.min(end, start + offset);
            return new Range(from, Math.min(end, from + length));
        }

        @Override
        public Flux<ByteBuffer> emit(Blob blob) {
            return size() == 0 ? Flux.empty() : blob.slice(start, end);
        }
    }

    /** Octets computed while planning (filtered header fields). */
    private record Held(byte[] octets) implements Content {
        @Override
        public long size() {
            return octets.length;
        }

        @Override
        public Content window(long offset, long length) {
            int from = (int) Math.min(octets.length, offset);
            int to = (int) Math.min(octets.length, from + Math.min(length, Integer.MAX_VALUE));
            return new Held(Arrays.copyOfRange(octets, from, to));
        }

        @Override
        public Flux<ByteBuffer> emit(Blob blob) {
            return octets.length == 0 ? Flux.empty() : Flux.just(ByteBuffer.wrap(octets));
        }
    }

    private record Measure(long size, boolean nul) {
    }

    /** A part's body with its transfer decoding; a fresh decoder for every pass. */
    private final class Decoded {
        private final Range body;
        private final Supplier<@Nullable TransferDecoder> decoders;

        Decoded(Range body, Supplier<@Nullable TransferDecoder> decoders) {
            this.body = body;
            this.decoders = decoders;
        }

        Flux<ByteBuffer> decoded(Blob blob) {
            return Flux.defer(() -> {
                TransferDecoder decoder = Objects.requireNonNull(decoders.get(), "decoder");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                return body.emit(blob).map(chunk -> {
                    byte[] octets = new byte[chunk.remaining()];
                    chunk.duplicate().get(octets);
                    out.reset();
                    decoder.decode(octets, 0, octets.length, out);
                    return ByteBuffer.wrap(out.toByteArray());
                }).concatWith(Mono.fromSupplier(() -> {
                    out.reset();
                    decoder.finish(out);
                    return ByteBuffer.wrap(out.toByteArray());
                })).filter(ByteBuffer::hasRemaining);
            });
        }

        /** The first pass: how many octets the decoded part has, and whether one is NUL. */
        Mono<Measure> measure(Blob blob) {
            return decoded(blob).reduce(new Measure(0, false), (measure, chunk) -> {
                boolean nul = measure.nul();
                for (int i = chunk.position(); i < chunk.limit() && !nul; i++) {
                    nul = chunk.get(i) == 0;
                }
                return new Measure(measure.size() + chunk.remaining(), nul);
            });
        }

        DecodedWindow window(long start, long end) {
            return new DecodedWindow(this, start, end);
        }
    }

    /** The second pass: the decoded octets from {@code start} to {@code end}. */
    private record DecodedWindow(Decoded decoded, long start, long end) implements Segment {
        @Override
        public Flux<ByteBuffer> emit(Blob blob) {
            return end <= start ? Flux.empty() : ByteRanges.slice(decoded.decoded(blob), start, end);
        }
    }
}
