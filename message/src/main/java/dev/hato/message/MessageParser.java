package dev.hato.message;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Parses a message as its octets arrive, chunk by chunk (a push parser: it never asks for input, short input is
 * {@link NeedMore}), into its {@link MimeEntity} tree with the byte offsets of every part, the header fields IMAP's
 * ENVELOPE and BODYSTRUCTURE are made of, and, when asked for, the text to index (handed to a {@link TextCollector}
 * as the walk finds it: the top-level header lines, and the body lines of each text part). One parser per message,
 * plain state, no locks; it never blocks and never holds the message: memory is bounded by the limits, never by the
 * message size. Body lines are only looked at for boundaries (at most {@link MessageLimits#BOUNDARY_LINE_OCTETS}
 * octets of each are kept; a longer line of a text part streams on to the collector), and of a header only the
 * fields FETCH reports are kept, each up to {@code maxFieldOctets}.
 *
 * <p>Malformed MIME is handled as RFC 2045/2046 and common servers do rather than refused: a missing final boundary
 * ends a multipart where its enclosing entity or the message ends; a multipart without any part gets an empty
 * text/plain part (RFC 3501's body-type-mpart needs one); a header line that is not a field, or a boundary line,
 * ends the header; the empty line that ends a header is the one of {@link HeaderSectionEnd}; parts nested deeper
 * than {@code maxDepth} are opaque application/octet-stream leaves; a header field kept longer than
 * {@code maxFieldOctets} is left out (as if absent). A message of more than {@code maxParts} entities is described,
 * as Dovecot does with MIME it cannot parse, as one opaque application/octet-stream body after its own header.
 * How deep a description goes is the renderer's business ({@link MimeEntity#within}): the parser builds the tree
 * to {@code maxDepth}.
 *
 * <p>The same walk checks the message against its {@link MessageLimits} at the door (SMTP DATA and BDAT, IMAP
 * APPEND): the first limit broken is a {@link LimitBreach}, known as soon as the line that breaks it ends ({@link
 * #breach()}) and final once {@link #end()} has run; after it the limits are no longer counted. So what passes the
 * door is what this parser describes for FETCH and SEARCH. Header sections are counted at every MIME level (fields,
 * octets, line length); lines of the receiving server's own trace fields can be left out ({@link #exempt}).
 *
 * <p>Cost: constant work per octet (a body line is searched for its end, and at most {@link
 * MessageLimits#BOUNDARY_LINE_OCTETS} octets of it are kept), plus, once per line that starts with "--" and is at
 * most that long, one comparison with the boundary of each open multipart, innermost first: at most {@code
 * maxDepth} (100 by default) comparisons of a hash of the line's first octets (computed once per line) with the
 * boundary's, and only where they agree of the octets (at most 252), so bounded per such line whatever the shape;
 * once per header line one look at its kept octets, and once per header section one parse of its Content-Type. So
 * it may run on an event loop. Memory: the entity tree (at most {@code maxParts} nodes, plus
 * the empty part of each multipart without any, the parser's and not counted; each with the fields it keeps, each
 * at most {@code maxFieldOctets}) and the current line's kept octets.
 */
public final class MessageParser {

    /** What {@link #feed} says: more octets are wanted, and what is known so far. */
    public sealed interface Progress permits NeedMore, TopHeader { }

    /** Nothing new: feed more, or {@link #finish()} at the end of the message. */
    public enum NeedMore implements Progress { INSTANCE }

    /** The message's own header section ended in the octets just fed: its kept fields, and where its body starts. */
    public record TopHeader(Map<String, String> fields, long bodyStart) implements Progress {
    }

    /**
     * The parsed message: its entity tree, its length, whether it was described as one opaque body (too many parts),
     * and, when text was asked for, the top-level header fields, the body text for search and the RFC 8970 preview
     * ({@link TextCollector#preview()}) (else empty).
     */
    public record Parsed(MimeEntity root, long size, boolean opaque, List<TextCollector.Field> topFields,
            String bodyText, String preview) {
    }

    private static final Set<String> PART_FIELDS = Set.of("content-type", "content-transfer-encoding", "content-id",
            "content-description", "content-md5", "content-disposition", "content-language", "content-location");
    private static final Set<String> ENVELOPE_FIELDS = Set.of("date", "subject", "from", "sender", "reply-to", "to",
            "cc", "bcc", "in-reply-to", "message-id");
    private static final int BODY_CAP = MessageLimits.BOUNDARY_LINE_OCTETS;
    private static final int END_OF_INPUT = -1;
    private static final byte[] CRLF = {'\r', '\n'};

    /** A header line: a field, the empty line, a line that is the body's, or a boundary line of an enclosing multipart. */
    private enum HeaderLine { FIELD, END, PUSH_BACK, BOUNDARY }

    /** Where a body ended: at a boundary line of some enclosing multipart, or at the end of the input. */
    private record Stop(int level, boolean close, long lineStart, int previousTerminator, long previousLength,
            long lineIndex) {

        long end(long bodyStart, long startIndex) {
            if (level == END_OF_INPUT) {
                return lineStart;
            }
            return lineIndex == startIndex ? bodyStart : Math.max(bodyStart, lineStart - previousTerminator);
        }

        /**
         * Lines of a body: its line terminators plus a last line without one. Before a boundary the last
         * terminator belongs to the boundary (RFC 2046 §5.1.1), so the last line counts only if it holds octets.
         */
        long lines(long startIndex) {
            long read = lineIndex - startIndex;
            if (level == END_OF_INPUT || read == 0) {
                return read;
            }
            return read - 1 + (previousLength > 0 ? 1 : 0);
        }
    }

    private final LimitCount count;
    private final int maxDepth;
    private final int maxFieldOctets;
    private final int maxParts;
    private final @Nullable TextCollector text;

    private long position;
    private long lineStart;
    private long lineLength;
    private boolean pendingCr;
    private int cap = -1;
    private byte[] kept = new byte[BODY_CAP];
    /** Hashes of the first octets of a line after its "--" ({@link #boundary}). */
    private final int[] prefixes = new int[BODY_CAP - 1];
    private int keptLength;
    /** The line being read is in the body of a text part whose text is collected; it streams there once long. */
    private boolean lineInText;
    private boolean lineStreamed;
    /** The line being read is one of the message's own header section; {@link #eightBitHeader} looks at it. */
    private boolean lineInTopHeader;
    private boolean eightBitHeader;
    private long lineCount;
    private int previousTerminator;
    private long previousLength;

    private final Deque<EntityNode> stack = new ArrayDeque<>();
    private @Nullable EntityNode root;
    private @Nullable EntityNode done;
    private int parts;
    private boolean opaque;
    private @Nullable TopHeader topHeader;
    private boolean ended;
    private boolean finished;

    /**
     * A parser within {@code limits} (the tree built to its depth and part limits, its breaches reported), header
     * fields kept up to {@code limits.maxHeaderOctets()}.
     */
    public static MessageParser structure(MessageLimits limits) {
        return new MessageParser(limits, limits.maxHeaderOctets(), null);
    }

    /** As {@link #structure(MessageLimits)}, header fields kept up to {@code maxFieldOctets}. */
    public static MessageParser structure(MessageLimits limits, int maxFieldOctets) {
        return new MessageParser(limits, maxFieldOctets, null);
    }

    /** As {@link #structure}, also collecting the text to index: up to {@code maxBodyChars} of body text. */
    public static MessageParser withText(MessageLimits limits, int maxHeaderOctets, int maxBodyChars) {
        return new MessageParser(limits, limits.maxHeaderOctets(),
                new TextCollector(maxHeaderOctets, maxBodyChars, limits.maxDepth()));
    }

    /**
     * A parser within {@code limits}, header fields kept up to {@code maxFieldOctets}, that also collects the text
     * to index: the top-level header up to {@code textHeaderOctets}, up to {@code maxBodyChars} of body text, from
     * parts at most {@code textDepth} multipart and message/rfc822 levels deep.
     */
    public static MessageParser withText(MessageLimits limits, int maxFieldOctets, int textHeaderOctets,
                                         int maxBodyChars, int textDepth) {
        return new MessageParser(limits, maxFieldOctets,
                new TextCollector(textHeaderOctets, maxBodyChars, textDepth));
    }

    /**
     * A parser that describes (the header limits of {@link MessageLimits#DEFAULTS} are only reported).
     *
     * @param maxDepth how many multipart and message/rfc822 levels are descended into, at least 1
     * @param maxFieldOctets the longest kept header field (unfolded), at least 998 (RFC 5322 §2.1.1)
     * @param maxParts the most MIME entities a message may have
     */
    public MessageParser(int maxDepth, int maxFieldOctets, int maxParts) {
        this(limits(maxDepth, maxParts), maxFieldOctets, null);
    }

    /** {@link MessageLimits#DEFAULTS} with {@code maxDepth} and {@code maxParts}. */
    public static MessageLimits limits(int maxDepth, int maxParts) {
        MessageLimits defaults = MessageLimits.DEFAULTS;
        return new MessageLimits(maxParts, maxDepth, defaults.maxHeaderFields(), defaults.maxHeaderOctets(),
                defaults.maxHeaderLine());
    }

    private MessageParser(MessageLimits limits, int maxFieldOctets, @Nullable TextCollector text) {
        if (maxFieldOctets < MessageLimits.RFC_5322_LINE) {
            throw new IllegalArgumentException("maxFieldOctets must be at least 998");
        }
        this.count = new LimitCount(limits);
        this.maxDepth = limits.maxDepth();
        this.maxFieldOctets = maxFieldOctets;
        this.maxParts = limits.maxParts();
        this.text = text;
        start(0, List.of(), false, 0, true);
    }

    /**
     * Says that the first {@code ownOctets} octets to be fed are the receiving server's own header fields (RFC 5321
     * §4.4 trace fields put before the client's message): they are parsed, but not counted against the limits,
     * which are the client's. Call it before the first {@link #feed}.
     */
    public void exempt(long ownOctets) {
        if (position > 0) {
            throw new IllegalStateException("exempt before the first octet");
        }
        count.exempt(ownOctets);
    }

    /**
     * Whether the message's own header section holds an octet above 0x7F (RFC 6532 UTF-8 header fields, or raw 8-bit
     * text): IMAP refuses such an APPEND from a client that did not enable UTF-8 (RFC 6855 §4).
     */
    public boolean eightBitHeader() {
        return eightBitHeader;
    }

    /** The first of the limits the lines ended so far broke; null while none has. */
    public @Nullable LimitBreach breach() {
        return count.breach();
    }

    /** Takes the octets of {@code chunk} from its position to its limit (its position is left where it was). */
    public Progress feed(ByteBuffer chunk) {
        if (chunk.hasArray()) {
            return feed(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
        }
        byte[] copy = new byte[chunk.remaining()];
        chunk.duplicate().get(copy);
        return feed(copy, 0, copy.length);
    }

    /** Takes {@code length} octets of {@code octets} from {@code offset}. */
    public Progress feed(byte[] octets, int offset, int length) {
        if (ended) {
            throw new IllegalStateException("the message has ended");
        }
        TopHeader before = topHeader;
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (opaque) {
                position += end - i;
                break;
            }
            if (cap < 0) {
                lineStart = position;
                cap = stack.isEmpty() || stack.peek().phase != EntityNode.Phase.HEADER ? BODY_CAP : maxFieldOctets + 1;
                lineInText = text != null && text.collecting();
                lineInTopHeader = root == null && !stack.isEmpty() && stack.peek().phase == EntityNode.Phase.HEADER;
            }
            int lf = -1;
            for (int j = i; j < end; j++) {
                if (octets[j] == '\n') {
                    lf = j;
                    break;
                }
            }
            int segmentEnd = lf < 0 ? end : lf;
            if (pendingCr) {
                pendingCr = false;
                if (lf == i) {
                    position++;
                    i++;
                    endOfLine(2);
                    continue;
                }
                content(new byte[] {'\r'}, 0, 1);
            }
            int contentEnd = segmentEnd;
            if (contentEnd > i && octets[contentEnd - 1] == '\r') {
                contentEnd--;
                pendingCr = lf < 0;
            }
            content(octets, i, contentEnd - i);
            position += (lf < 0 ? end : lf + 1) - i;
            if (lf < 0) {
                break;
            }
            i = lf + 1;
            endOfLine(contentEnd < segmentEnd ? 2 : 1);
        }
        return topHeader != null && before == null ? topHeader : NeedMore.INSTANCE;
    }

    /**
     * Ends the message (a last line without a line break counts as a line; no more octets may be fed) and returns the
     * first limit it broke, or null: what the door decides on. May be called more than once; {@link #finish()}
     * follows to get what was parsed.
     */
    public @Nullable LimitBreach end() {
        if (ended) {
            return count.breach();
        }
        ended = true;
        if (!opaque && cap >= 0 && (position > lineStart || pendingCr)) {
            if (pendingCr) {
                pendingCr = false;
                content(new byte[] {'\r'}, 0, 1);
            }
            endOfLine(0);
        }
        while (!opaque && !stack.isEmpty()) {
            EntityNode top = Objects.requireNonNull(stack.peek(), "top");
            if (top.phase == EntityNode.Phase.HEADER) {
                endHeader(top, position);
            } else {
                deliver(new Stop(END_OF_INPUT, false, position, 0, 0, lineCount), position);
            }
        }
        return count.breach();
    }

    /** Ends the message, if {@link #end()} did not, and returns what was parsed. */
    public Parsed finish() {
        if (finished) {
            throw new IllegalStateException("the message has ended");
        }
        finished = true;
        end();
        List<TextCollector.Field> fields = List.of();
        String body = "";
        String preview = "";
        if (text != null) {
            text.endText();
            fields = text.topFields();
            body = text.bodyText();
            preview = text.preview();
        }
        EntityNode first = Objects.requireNonNull(root, "root");
        MimeEntity entity = opaque ? MimeEntity.opaque(first.fields, first.bodyStart, position)
                : Objects.requireNonNull(done, "done").entity();
        return new Parsed(entity, position, opaque, fields, body, preview);
    }

    private void content(byte[] octets, int offset, int n) {
        if (n <= 0) {
            return;
        }
        int room = cap - keptLength;
        int copy = Math.max(0, Math.min(room, n));
        if (copy > 0) {
            if (keptLength + copy > kept.length) {
                kept = Arrays.copyOf(kept, (int) Math.min(cap, Math.max(keptLength + copy, kept.length * 2L)));
            }
            System.arraycopy(octets, offset, kept, keptLength, copy);
            keptLength += copy;
        }
        if (lineInTopHeader && !eightBitHeader) {
            for (int i = offset; i < offset + n && !eightBitHeader; i++) {
                eightBitHeader = octets[i] < 0; // an octet above 0x7F
            }
        }
        if (lineInText && lineLength + n > cap) {
            // longer than any boundary line: the text part's line streams on, its kept start first
            TextCollector collector = Objects.requireNonNull(text, "text");
            if (!lineStreamed) {
                lineStreamed = true;
                collector.text(kept, 0, keptLength);
            }
            collector.text(octets, offset + copy, n - copy);
        }
        lineLength += n;
    }

    private void endOfLine(int terminator) {
        long start = lineStart;
        long length = lineLength;
        boolean truncated = length > cap;
        boolean streamed = lineStreamed;
        lineStreamed = false;
        lineInText = false;
        lineLength = 0;
        cap = -1;
        lineCount++;
        long after = start + length + terminator;
        boolean consumed = false;
        while (!consumed && !opaque && !stack.isEmpty()) {
            EntityNode top = Objects.requireNonNull(stack.peek(), "top");
            if (top.phase == EntityNode.Phase.HEADER) {
                HeaderLine outcome = headerLine(top, length, terminator, truncated);
                if (outcome == HeaderLine.FIELD) {
                    if (text != null && root == null) {
                        text.topHeaderLine(kept, keptLength);
                    }
                    consumed = true;
                } else if (outcome == HeaderLine.END) {
                    endHeader(top, after);
                    consumed = true;
                } else {
                    // The line is read again as the body's (RFC 5322 §2.1 has no header without it). A boundary line
                    // ends the entity: the line break before it belongs to it (RFC 2046 §5.1.1), so the header ends,
                    // and the empty body starts and ends, before that line break, never before the header starts.
                    long bodyStart = outcome == HeaderLine.BOUNDARY
                            ? Math.max(top.headerStart, start - previousTerminator) : start;
                    lineCount--;
                    endHeader(top, bodyStart);
                    lineCount++;
                }
            } else {
                Stop stop = boundary(active(top), length, truncated, start);
                if (stop != null) {
                    deliver(stop, after);
                } else if (text != null && text.collecting()) {
                    if (!streamed) {
                        text.text(kept, 0, keptLength);
                    }
                    text.text(CRLF, 2 - terminator, terminator);
                }
                consumed = true;
            }
        }
        keptLength = 0;
        previousTerminator = terminator;
        previousLength = length;
    }

    private static List<Boundary> active(EntityNode node) {
        return node.phase == EntityNode.Phase.PARTS ? node.inner : node.boundaries;
    }

    private void start(long headerStart, List<Boundary> boundaries, boolean inDigest, int depth, boolean message) {
        if (++parts > maxParts) {
            count.tooManyParts();
            opaque = true; // described as one opaque body after the message's header
            return;
        }
        EntityNode node = new EntityNode(headerStart, boundaries, inDigest, depth, message);
        EntityNode parent = stack.peek();
        if (parent != null) {
            parent.children.add(node);
            node.textHidden = parent.textHidden || parent.kind == MessagePart.Kind.MESSAGE && parent.encoded();
        }
        stack.push(node);
    }

    /** RFC 5322 §2.2 and §2.2.3: one header line, kept when it is a field FETCH reports; unfolded on the fly. */
    private HeaderLine headerLine(EntityNode node, long length, int terminator, boolean truncated) {
        if (terminator > 0 && HeaderSectionEnd.isEmptyLine(length + (terminator == 2 ? 1 : 0), terminator == 2)) {
            return HeaderLine.END;
        }
        if (boundary(node.boundaries, length, truncated, lineStart) != null) {
            return HeaderLine.BOUNDARY;
        }
        String line = new String(kept, 0, keptLength, StandardCharsets.ISO_8859_1);
        if (keptLength > 0 && (kept[0] == ' ' || kept[0] == '\t')) {
            // folding; a folded line before any field has nothing to continue and is dropped
            StringBuilder current = node.current;
            if (current != null) {
                if (current.length() + length > maxFieldOctets) {
                    node.kept.remove(node.currentName);
                    node.dropped.add(node.currentName);
                    node.current = null;
                } else {
                    current.append(line);
                }
            }
            count.headerLine(lineStart, length, terminator, false);
            return HeaderLine.FIELD;
        }
        int colon = line.indexOf(':');
        String name = colon > 0 ? line.substring(0, colon).strip() : "";
        if (name.isEmpty() || !isFieldName(name)) {
            return HeaderLine.PUSH_BACK;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        boolean wanted = PART_FIELDS.contains(lower) || node.message && ENVELOPE_FIELDS.contains(lower);
        node.current = null;
        if (wanted && !node.kept.containsKey(lower) && !node.dropped.contains(lower)) {
            if (length > maxFieldOctets) {
                node.dropped.add(lower); // too long to keep: left out, as if absent
            } else {
                StringBuilder value = new StringBuilder(line.substring(colon + 1));
                node.current = value;
                node.currentName = lower;
                node.kept.put(lower, value);
            }
        }
        count.headerLine(lineStart, length, terminator, true);
        return HeaderLine.FIELD;
    }

    private static boolean isFieldName(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 0x7F) {
                return false;
            }
        }
        return true;
    }

    /** The header of {@code node} ended; its body starts at {@code bodyStart}. */
    private void endHeader(EntityNode node, long bodyStart) {
        Map<String, String> fields = new LinkedHashMap<>();
        node.kept.forEach((name, value) -> fields.put(name, value.toString()));
        node.kept.clear();
        node.current = null;
        node.fields = fields;
        node.bodyStart = bodyStart;
        node.startIndex = lineCount;
        count.headerEnded();
        if (root == null) {
            root = node;
            topHeader = new TopHeader(java.util.Collections.unmodifiableMap(fields), bodyStart);
        }
        if (node.resolveType(node.inDigest, node.depth < maxDepth)) {
            count.tooDeep();
        }
        if (node.kind == MessagePart.Kind.MULTIPART) {
            List<Boundary> inner = new ArrayList<>(node.boundaries);
            inner.add(Boundary.of(Objects.requireNonNull(node.boundary(), "boundary")
                    .getBytes(StandardCharsets.ISO_8859_1)));
            node.inner = List.copyOf(inner);
            node.phase = EntityNode.Phase.PARTS;
        } else if (node.kind == MessagePart.Kind.MESSAGE) {
            node.phase = EntityNode.Phase.MESSAGE;
            start(bodyStart, node.boundaries, false, node.depth + 1, true);
        } else {
            node.phase = EntityNode.Phase.LEAF_BODY;
            if (text != null && node.type.equals("TEXT") && !node.textHidden && text.reaches(node.depth)) {
                text.beginText(node.transferEncoding(), node.parameter("charset"),
                        node.subtype.equals("HTML"));
            }
        }
    }

    /** A body ended at {@code stop}; {@code after} is where the line that stopped it ends. */
    private void deliver(Stop stop, long after) {
        while (!stack.isEmpty()) {
            EntityNode node = Objects.requireNonNull(stack.peek(), "node");
            int level = node.inner.size() - 1;
            if (node.phase == EntityNode.Phase.PARTS && stop.level() == level) {
                if (!stop.close()) {
                    start(after, node.inner, "DIGEST".equals(node.subtype), node.depth + 1, false);
                } else {
                    node.phase = EntityNode.Phase.EPILOGUE; // read until an outer boundary or the end
                }
                return;
            }
            if (node.phase == EntityNode.Phase.PARTS || node.phase == EntityNode.Phase.EPILOGUE) {
                emptyPart(node, stop);
            }
            node.end = stop.end(node.bodyStart, node.startIndex);
            node.lines = stop.lines(node.startIndex);
            within(node.children, node.end);
            stack.pop();
            if (text != null) {
                text.endText();
            }
            if (stack.isEmpty()) {
                done = node;
            }
        }
    }

    /**
     * The parts that end past their parent's {@code end} moved to it, with their own parts: an entity ends before the
     * line break that precedes the boundary line ending it (RFC 2046 §5.1.1), and that line break can be one its last
     * part already holds, when it ends a header (its empty line, or the part right after a boundary line, which has
     * no header at all) directly before a boundary of an enclosing multipart. Only parts on the stack's path can
     * reach past it, so this is bounded by the depth.
     */
    private static void within(List<EntityNode> children, long end) {
        for (int i = children.size() - 1; i >= 0; i--) {
            EntityNode child = children.get(i);
            if (child.end <= end && child.headerStart <= end) {
                return;
            }
            child.headerStart = Math.min(child.headerStart, end);
            child.bodyStart = Math.min(child.bodyStart, end);
            child.end = Math.min(child.end, end);
            within(child.children, end);
        }
    }

    /** RFC 3501's body-type-mpart needs a part: a multipart without any gets an empty text/plain one. */
    private static void emptyPart(EntityNode node, Stop stop) {
        if (!node.children.isEmpty()) {
            return;
        }
        long at = stop.level() == END_OF_INPUT ? stop.lineStart()
                : Math.max(node.bodyStart, stop.lineStart() - stop.previousTerminator());
        EntityNode empty = new EntityNode(at, List.of(), false, node.depth + 1, false);
        empty.bodyStart = at;
        empty.end = at;
        empty.resolveType(false, false);
        node.children.add(empty);
    }

    /** RFC 2046 §5.1.1: "--" boundary, optionally "--", then only transport padding; innermost first. */
    private @Nullable Stop boundary(List<Boundary> boundaries, long length, boolean truncated, long start) {
        if (boundaries.isEmpty() || truncated || keptLength < 2 || kept[0] != '-' || kept[1] != '-') {
            return null;
        }
        // prefixes[n]: the hash of the n octets after "--", so each level costs one comparison of hashes
        int hashed = Math.min(keptLength - 2, BODY_CAP - 2);
        int hash = 0;
        for (int i = 0; i < hashed; i++) {
            prefixes[i] = hash;
            hash = Boundary.extend(hash, kept[2 + i]);
        }
        prefixes[hashed] = hash;
        for (int level = boundaries.size() - 1; level >= 0; level--) {
            Boundary boundary = boundaries.get(level);
            int n = boundary.length();
            if (n > hashed || prefixes[n] != boundary.hash()
                    || !Arrays.equals(kept, 2, 2 + n, boundary.octets(), 0, n)) {
                continue;
            }
            int rest = 2 + n;
            boolean close = keptLength >= rest + 2 && kept[rest] == '-' && kept[rest + 1] == '-';
            boolean onlyPadding = true;
            for (int i = close ? rest + 2 : rest; i < keptLength && onlyPadding; i++) {
                onlyPadding = kept[i] == ' ' || kept[i] == '\t';
            }
            if (onlyPadding) {
                return new Stop(level, close, start, previousTerminator, previousLength, lineCount - 1);
            }
        }
        return null;
    }
}
