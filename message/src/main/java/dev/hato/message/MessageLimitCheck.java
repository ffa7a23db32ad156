package dev.hato.message;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Checks a message against {@link MessageLimits} as its octets arrive, chunk by chunk, in the pass that spools it
 * (SMTP DATA and BDAT, IMAP APPEND): a push parser that follows the MIME tree the way the structure scanner ({@code dev.hato.imap.fetch.StructureScanner}) reads
 * it (RFC 2046 §5.1.1 boundaries, innermost first; message/rfc822 and multipart/digest parts descended into; a header
 * ends at its empty line, at a boundary, or at a line that is no field), so that a message it lets through is one
 * the scanner can describe and FETCH can serve.
 *
 * <p>Cost: constant work per octet (a body line that does not start with "--" is only searched for its end, the
 * body of the last entity outside any multipart not at all), plus, once per line that starts with "--" and is at
 * most {@link MessageLimits#BOUNDARY_LINE_OCTETS} long, one hash lookup of that line, and once per header section
 * one parse of its Content-Type field (the octets of which were fed): linear in the message, whatever its shape, so
 * it may run on an event loop (43 MB of MIME parts in about 0.2 s, twice what ContentChecks takes). Memory: the
 * open boundaries (one per nesting level, at most {@code maxDepth}), the first octets of the current line, and the
 * Content-Type field being read (at most {@code maxHeaderOctets}).
 *
 * <p>Once a limit is broken the rest of the message is not looked at; the caller reads it to its end all the same
 * and then refuses it.
 */
public final class MessageLimitCheck {

    /** Which limit a message broke, and a sentence that says so for the reply. */
    public record Breach(Kind kind, String text) {
        public Breach {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(text, "text");
        }
    }

    /** The limits of {@link MessageLimits}, one each. */
    public enum Kind { PARTS, DEPTH, HEADER_FIELDS, HEADER_SIZE, HEADER_LINE }

    private static final int KEPT = MessageLimits.BOUNDARY_LINE_OCTETS;
    private static final byte[] CONTENT_TYPE = "content-type".getBytes(StandardCharsets.US_ASCII);

    /** Where the current header line is: before its first octet, in a field name, after it, in a value. */
    private enum Line { START, NAME, NAME_SPACE, VALUE, CONTINUATION, NOT_FIELD }

    /** One open MIME entity. */
    private static final class Frame {
        final int depth;
        /** Without a Content-Type this entity is message/rfc822 (a part of a multipart/digest, RFC 2046 §5.1.5). */
        final boolean inDigest;
        /** The level of this multipart's boundary while its parts are read; -1 otherwise. */
        int level = -1;
        boolean digest;
        boolean closed;

        Frame(int depth, boolean inDigest) {
            this.depth = depth;
            this.inDigest = inDigest;
        }
    }

    private final MessageLimits limits;
    private final byte[] kept = new byte[KEPT];
    private long lineLength;
    private boolean pendingCr;
    /** The current line is a body line that cannot be a boundary. */
    private boolean skipping;
    private Line line = Line.START;
    private boolean collecting;

    private final Deque<Frame> frames = new ArrayDeque<>();
    private boolean inHeader = true;
    private int fields;
    private long headerOctets;
    private boolean contentTypeOpen;
    private @Nullable ByteArrayOutputStream contentType;

    private final List<String> boundaries = new ArrayList<>();
    private final Map<String, Integer> levels = new HashMap<>();
    private final Deque<Integer> shadowed = new ArrayDeque<>();
    private int parts = 1;
    private @Nullable Breach breach;

    public MessageLimitCheck(MessageLimits limits) {
        this.limits = limits;
        frames.push(new Frame(0, false));
    }

    /** Looks at the octets of {@code chunk} (its position is left where it was). */
    public void feed(ByteBuffer chunk) {
        int i = chunk.position();
        int limit = chunk.limit();
        while (i < limit && breach == null) {
            if (!inHeader) {
                if (boundaries.isEmpty()) {
                    return; // the rest is the body of the last entity: no line of it can change anything
                }
                if (skipping) {
                    // a body line that cannot be a boundary (RFC 2046 §5.1.1: "--" first): only its end matters
                    int lf = lineFeed(chunk, i, limit);
                    if (lf < 0) {
                        return;
                    }
                    skipping = false;
                    pendingCr = false;
                    lineLength = 0;
                    i = lf + 1;
                    continue;
                }
            }
            octet(chunk.get(i++));
            skipping = !inHeader && (lineLength > KEPT || lineLength >= 1 && kept[0] != '-'
                    || lineLength >= 2 && kept[1] != '-');
        }
    }

    private static int lineFeed(ByteBuffer chunk, int from, int limit) {
        if (chunk.hasArray()) {
            byte[] array = chunk.array();
            int offset = chunk.arrayOffset();
            for (int j = from; j < limit; j++) {
                if (array[offset + j] == '\n') {
                    return j;
                }
            }
            return -1;
        }
        for (int j = from; j < limit; j++) {
            if (chunk.get(j) == '\n') {
                return j;
            }
        }
        return -1;
    }

    /** Ends the message (a last line without a line break counts as a line) and says which limit broke, if any. */
    public @Nullable Breach finish() {
        if (breach == null && (lineLength > 0 || pendingCr)) {
            if (pendingCr) {
                pendingCr = false;
                content((byte) '\r');
            }
            endOfLine(0);
        }
        return breach;
    }

    /** The first limit broken so far; null while none is. */
    public @Nullable Breach breach() {
        return breach;
    }

    private void octet(byte b) {
        if (pendingCr) {
            pendingCr = false;
            if (b == '\n') {
                endOfLine(2);
                return;
            }
            content((byte) '\r');
        }
        if (b == '\r') {
            pendingCr = true;
        } else if (b == '\n') {
            endOfLine(1);
        } else {
            content(b);
        }
    }

    private void content(byte b) {
        if (lineLength < KEPT) {
            kept[(int) lineLength] = b;
        }
        if (inHeader) {
            headerOctet(b);
        }
        lineLength++;
        if (inHeader && lineLength > limits.maxHeaderLine() && (line == Line.VALUE || line == Line.CONTINUATION)) {
            headerLineTooLong(); // known before the line ends: the rest of the message need not be looked at
        }
    }

    private void headerLineTooLong() {
        breach(Kind.HEADER_LINE, "a header line is longer than " + limits.maxHeaderLine()
                + " octets (RFC 5322 §2.1.1)");
    }

    /** RFC 5322 §2.2 field name up to the colon (§3.6.8: printable, no space; space before the colon tolerated). */
    private void headerOctet(byte b) {
        boolean space = b == ' ' || b == '\t';
        boolean nameOctet = b > ' ' && b < 0x7F && b != ':';
        Line before = line;
        switch (line) {
            case START -> {
                if (space) {
                    line = Line.CONTINUATION; // RFC 5322 §2.2.3 folding
                    collecting = contentTypeOpen;
                } else {
                    line = nameOctet ? Line.NAME : Line.NOT_FIELD;
                }
            }
            case NAME -> line = b == ':' ? colon() : space ? Line.NAME_SPACE : nameOctet ? Line.NAME : Line.NOT_FIELD;
            case NAME_SPACE -> line = b == ':' ? colon() : space ? Line.NAME_SPACE : Line.NOT_FIELD;
            default -> { }
        }
        // the value as the scanner keeps it: after the colon, folded lines joined without their line breaks
        if (collecting && (before == Line.VALUE || line == Line.CONTINUATION)) {
            ByteArrayOutputStream value = Objects.requireNonNull(contentType, "contentType");
            if (value.size() < limits.maxHeaderOctets()) {
                value.write(b);
            }
        }
    }

    /** The colon after a field name: the first Content-Type field of a header is collected for its type. */
    private Line colon() {
        int end = (int) Math.min(lineLength, KEPT);
        while (end > 0 && (kept[end - 1] == ' ' || kept[end - 1] == '\t')) {
            end--;
        }
        boolean isContentType = lineLength <= KEPT && end == CONTENT_TYPE.length;
        for (int i = 0; i < end && isContentType; i++) {
            byte c = kept[i];
            isContentType = (c >= 'A' && c <= 'Z' ? c + 32 : c) == CONTENT_TYPE[i];
        }
        contentTypeOpen = isContentType && contentType == null;
        if (contentTypeOpen) {
            contentType = new ByteArrayOutputStream();
        }
        collecting = contentTypeOpen;
        return Line.VALUE;
    }

    private void endOfLine(int terminator) {
        long length = lineLength;
        Line kind = line;
        lineLength = 0;
        line = Line.START;
        collecting = false;
        if (inHeader) {
            headerLine(length, terminator, kind);
        } else {
            bodyLine(length);
        }
    }

    private void headerLine(long length, int terminator, Line kind) {
        if (length == 0) {
            endHeader(); // the empty line ends the header section (RFC 5322 §2.1)
            return;
        }
        if (kind == Line.CONTINUATION || kind == Line.VALUE && boundaryLevel(length) == null) {
            if (kind == Line.VALUE) {
                fields++;
            }
            headerOctets += length + terminator;
            if (length > limits.maxHeaderLine()) {
                headerLineTooLong();
            } else if (fields > limits.maxHeaderFields()) {
                breach(Kind.HEADER_FIELDS, "a header section has more than " + limits.maxHeaderFields() + " fields");
            } else if (headerOctets > limits.maxHeaderOctets()) {
                breach(Kind.HEADER_SIZE, "a header section is larger than " + limits.maxHeaderOctets() + " octets");
            }
            return;
        }
        // A boundary or a line that is no field ends the header early and belongs to the body, as the scanner reads it.
        endHeader();
        if (inHeader && breach == null) {
            endHeader(); // the encapsulated message of a message/rfc822 part has no header either
        }
        if (breach == null) {
            bodyLine(length);
        }
    }

    /** RFC 2045 §5.2 and RFC 2046 §5.1: what the entity whose header just ended holds. */
    private void endHeader() {
        inHeader = false;
        Frame frame = Objects.requireNonNull(frames.peek(), "frame");
        ByteArrayOutputStream value = contentType;
        contentType = null;
        contentTypeOpen = false;
        fields = 0;
        headerOctets = 0;
        MimeHeaderValue parsed = value == null ? null
                : MimeHeaderValue.contentType(value.toString(StandardCharsets.ISO_8859_1));
        boolean message = parsed == null ? frame.inDigest
                : parsed.primary().equals("MESSAGE") && "RFC822".equals(parsed.subtype());
        String boundary = parsed == null || !parsed.primary().equals("MULTIPART") ? null : boundary(parsed);
        if ((boundary != null || message) && frame.depth + 1 > limits.maxDepth()) {
            breach(Kind.DEPTH, "MIME parts are nested deeper than " + limits.maxDepth() + " levels");
            return;
        }
        if (boundary != null) {
            frame.level = boundaries.size();
            frame.digest = "DIGEST".equals(parsed.subtype());
            pushBoundary(boundary);
        } else if (message) {
            startEntity(new Frame(frame.depth + 1, false));
        }
    }

    /** As the structure scanner's entity takes it: a non-empty boundary that fits a boundary line. */
    private static @Nullable String boundary(MimeHeaderValue parsed) {
        for (MimeHeaderValue.Parameter parameter : parsed.parameters()) {
            if (parameter.attribute().equalsIgnoreCase("boundary") && !parameter.value().isEmpty()
                    && parameter.value().length() <= KEPT - 4) {
                return parameter.value();
            }
        }
        return null;
    }

    private void startEntity(Frame frame) {
        if (++parts > limits.maxParts()) {
            breach(Kind.PARTS, "the message has more than " + limits.maxParts() + " MIME parts");
            return;
        }
        frames.push(frame);
        inHeader = true;
    }

    /** A body line: a boundary of an open multipart ends its current part, and starts the next or closes it. */
    private void bodyLine(long length) {
        Match match = boundaryLevel(length);
        if (match == null) {
            return;
        }
        // every entity inside the multipart that owns the boundary ends here (RFC 2046 §5.1.2)
        Frame owner = Objects.requireNonNull(frames.peek(), "frame");
        while (owner.level != match.level() || owner.closed) {
            frames.pop();
            if (owner.level >= 0 && !owner.closed) {
                popBoundary();
            }
            owner = Objects.requireNonNull(frames.peek(), "frame");
        }
        if (match.close()) {
            owner.closed = true;
            popBoundary(); // the epilogue follows, read until an outer boundary or the end
        } else {
            startEntity(new Frame(owner.depth + 1, owner.digest));
        }
    }

    private record Match(int level, boolean close) { }

    /** RFC 2046 §5.1.1: "--" boundary, optionally "--", then only transport padding; the innermost level wins. */
    private @Nullable Match boundaryLevel(long length) {
        if (boundaries.isEmpty() || length < 3 || length > KEPT || kept[0] != '-' || kept[1] != '-') {
            return null;
        }
        int end = (int) length;
        while (end > 2 && (kept[end - 1] == ' ' || kept[end - 1] == '\t')) {
            end--;
        }
        String text = new String(kept, 2, end - 2, StandardCharsets.ISO_8859_1);
        Integer open = levels.get(text);
        Integer close = text.endsWith("--") ? levels.get(text.substring(0, text.length() - 2)) : null;
        if (open == null && close == null) {
            return null;
        }
        if (open == null || close != null && close > open) {
            return new Match(close, true);
        }
        return new Match(open, false);
    }

    private void pushBoundary(String boundary) {
        Integer old = levels.put(boundary, boundaries.size());
        boundaries.add(boundary);
        shadowed.push(old == null ? -1 : old);
    }

    private void popBoundary() {
        String boundary = boundaries.remove(boundaries.size() - 1);
        int old = shadowed.pop();
        if (old < 0) {
            levels.remove(boundary);
        } else {
            levels.put(boundary, old);
        }
    }

    private void breach(Kind kind, String text) {
        if (breach == null) {
            breach = new Breach(kind, text);
        }
    }
}
