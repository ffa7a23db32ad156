package dev.hato.imap.fetch;

import dev.hato.message.MessageLimits;
import dev.hato.message.MessagePart;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Computes a {@link MessageStructure} in one pass over a message read from a blocking {@link InputStream}; call it
 * off the event loop. Memory is bounded by the constructor's limits, never by the message size: body lines are
 * only looked at for boundaries (at most {@link #BOUNDARY_LINE_OCTETS} octets of each are kept), and of the header
 * only the fields FETCH reports are kept, each up to {@code maxFieldOctets}.
 *
 * <p>Malformed MIME is handled as RFC 2045/2046 and common servers do rather than refused: a missing final boundary
 * ends a multipart where its enclosing entity or the message ends; a multipart without any part gets an empty
 * text/plain part (RFC 3501's body-type-mpart needs one); a header line that is not a field ends the header; parts
 * nested deeper than {@code maxDepth} are reported as opaque application/octet-stream leaves.
 *
 * <p>Every message gets a structure, so that FETCH and SEARCH serve what can be served and never parse a message
 * again to fail on it once more (messages stored before the door's {@link MessageLimits}, or by a path without
 * them): a kept header field longer than {@code maxFieldOctets} is left out (ENVELOPE shows NIL for it, a part
 * without its Content-Type is text/plain); a message of more than {@code maxParts} entities is described, as Dovecot
 * does with MIME it cannot parse, as one opaque application/octet-stream body after its own header, whose fields
 * still give the ENVELOPE.
 */
public final class StructureScanner {

    /** Boundaries are at most 70 characters (RFC 2046 §5.1.1); a longer line cannot be a delimiter. */
    static final int BOUNDARY_LINE_OCTETS = MessageLimits.BOUNDARY_LINE_OCTETS;

    private static final Set<String> PART_FIELDS = Set.of("content-type", "content-transfer-encoding", "content-id",
            "content-description", "content-md5", "content-disposition", "content-language", "content-location");
    private static final Set<String> ENVELOPE_FIELDS = Set.of("date", "subject", "from", "sender", "reply-to", "to",
            "cc", "bcc", "in-reply-to", "message-id");

    private final int maxDepth;
    private final int maxFieldOctets;
    private final int maxParts;

    /**
     * @param maxDepth how many multipart and message/rfc822 levels are descended into, at least 1
     * @param maxFieldOctets the longest kept header field (unfolded), at least 998 (RFC 5322 §2.1.1)
     * @param maxParts the most MIME entities a message may have
     */
    public StructureScanner(int maxDepth, int maxFieldOctets, int maxParts) {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1");
        }
        if (maxFieldOctets < 998) {
            throw new IllegalArgumentException("maxFieldOctets must be at least 998");
        }
        if (maxParts < 1) {
            throw new IllegalArgumentException("maxParts must be at least 1");
        }
        this.maxDepth = maxDepth;
        this.maxFieldOctets = maxFieldOctets;
        this.maxParts = maxParts;
    }

    /** Reads {@code message} to its end and describes it; does not close the stream. */
    public MessageStructure scan(InputStream message) throws IOException {
        OctetLines lines = new OctetLines(message);
        Pass pass = new Pass(lines);
        Entity root;
        try {
            root = pass.entity(List.of(), false, 0, true);
        } catch (MessageStructureException tooManyParts) {
            Entity header = Objects.requireNonNull(pass.root, "root");
            root = opaque(header.fields, header.bodyStart, lines.skipToEnd());
        }
        return described(root);
    }

    /**
     * The structure of a message the parser failed on (a bug, an input nobody thought of): one opaque
     * application/octet-stream body from {@code bodyStart} to {@code end}, after a header of which nothing is known,
     * so its ENVELOPE is all NIL. It lets FETCH serve the message's octets and keeps the parse from being tried again.
     */
    static MessageStructure opaque(long bodyStart, long end) {
        return described(opaque(Map.of(), bodyStart, end));
    }

    private static MessageStructure described(Entity root) {
        StringBuilder envelope = new StringBuilder();
        Entity.envelope(envelope, root.fields);
        StringBuilder bodyStructure = new StringBuilder();
        root.structure(bodyStructure, true);
        StringBuilder body = new StringBuilder();
        root.structure(body, false);
        return new MessageStructure(envelope.toString(), bodyStructure.toString(), body.toString(), root.part());
    }

    /**
     * The message as one application/octet-stream body after its header (whose {@code fields} still give the
     * ENVELOPE), from {@code bodyStart} to {@code end}.
     */
    private static Entity opaque(Map<String, String> header, long bodyStart, long end) {
        Entity opaque = new Entity(0);
        Map<String, String> fields = new LinkedHashMap<>(header);
        fields.remove("content-type");
        opaque.fields = fields;
        opaque.bodyStart = bodyStart;
        opaque.end = end;
        opaque.resolveType(false, false);
        opaque.type = "APPLICATION";
        opaque.subtype = "OCTET-STREAM";
        opaque.parameters = List.of();
        return opaque;
    }

    /** Where a body ended: at a boundary line of some enclosing multipart, or at the end of the input. */
    record Stop(int level, boolean close, long lineStart, int previousTerminator, long previousLength,
            long lineIndex) {

        static final int END_OF_INPUT = -1;

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

    private final class Pass {
        private final OctetLines lines;
        private int parts;
        /** The message's own entity, once its header is read. */
        private @Nullable Entity root;

        Pass(OctetLines lines) {
            this.lines = lines;
        }

        Entity entity(List<byte[]> boundaries, boolean inDigest, int depth, boolean message) throws IOException {
            if (++parts > maxParts) {
                // caught in scan(), which describes the message as one opaque body
                throw new MessageStructureException("message has more than " + maxParts + " MIME parts");
            }
            Entity entity = new Entity(lines.position());
            entity.fields = header(boundaries, message);
            entity.bodyStart = lines.position();
            if (root == null) {
                root = entity;
            }
            entity.resolveType(inDigest, depth < maxDepth);
            long startIndex = lines.lineCount();
            Stop stop;
            if (entity.kind == MessagePart.Kind.MULTIPART) {
                stop = multipart(entity, boundaries, depth);
            } else if (entity.kind == MessagePart.Kind.MESSAGE) {
                Entity inner = entity(boundaries, false, depth + 1, true);
                entity.children.add(inner);
                stop = Objects.requireNonNull(inner.stop, "stop");
            } else {
                stop = untilBoundary(boundaries);
            }
            entity.stop = stop;
            entity.end = stop.end(entity.bodyStart, startIndex);
            entity.lines = stop.lines(startIndex);
            return entity;
        }

        private Stop multipart(Entity entity, List<byte[]> outer, int depth) throws IOException {
            List<byte[]> boundaries = new ArrayList<>(outer);
            boundaries.add(Objects.requireNonNull(entity.boundary(), "boundary").getBytes(StandardCharsets.ISO_8859_1));
            int level = boundaries.size() - 1;
            boolean digest = "DIGEST".equals(entity.subtype);
            Stop stop = untilBoundary(boundaries);
            while (stop.level() == level && !stop.close()) {
                Entity child = entity(boundaries, digest, depth + 1, false);
                entity.children.add(child);
                stop = Objects.requireNonNull(child.stop, "stop");
            }
            if (stop.level() == level) {
                stop = untilBoundary(outer);
            }
            if (entity.children.isEmpty()) {
                long at = stop.level() == Stop.END_OF_INPUT ? stop.lineStart() : Math.max(entity.bodyStart,
                        stop.lineStart() - stop.previousTerminator());
                Entity empty = new Entity(at);
                empty.bodyStart = at;
                empty.end = at;
                empty.fields = Map.of();
                empty.resolveType(false, false);
                entity.children.add(empty);
            }
            return stop;
        }

        private Stop untilBoundary(List<byte[]> boundaries) throws IOException {
            while (true) {
                OctetLines.Line line = lines.read(BOUNDARY_LINE_OCTETS);
                if (line == null) {
                    return new Stop(Stop.END_OF_INPUT, false, lines.position(), 0, 0, lines.lineCount());
                }
                Stop stop = boundary(line, boundaries);
                if (stop != null) {
                    return stop;
                }
            }
        }

        /** RFC 2046 §5.1.1: "--" boundary, optionally "--", then only transport padding; innermost first. */
        private @Nullable Stop boundary(OctetLines.Line line, List<byte[]> boundaries) {
            byte[] kept = line.kept();
            if (boundaries.isEmpty() || line.truncated() || kept.length < 2 || kept[0] != '-' || kept[1] != '-') {
                return null;
            }
            for (int level = boundaries.size() - 1; level >= 0; level--) {
                byte[] boundary = boundaries.get(level);
                if (kept.length < 2 + boundary.length || !regionMatches(kept, 2, boundary)) {
                    continue;
                }
                int rest = 2 + boundary.length;
                boolean close = kept.length >= rest + 2 && kept[rest] == '-' && kept[rest + 1] == '-';
                int padding = close ? rest + 2 : rest;
                boolean onlyPadding = true;
                for (int i = padding; i < kept.length && onlyPadding; i++) {
                    onlyPadding = kept[i] == ' ' || kept[i] == '\t';
                }
                if (onlyPadding) {
                    OctetLines.Line previous = lines.previous();
                    return new Stop(level, close, line.start(), previous == null ? 0 : previous.terminator(),
                            previous == null ? 0 : previous.length(), lines.lineCount() - 1);
                }
            }
            return null;
        }

        private static boolean regionMatches(byte[] line, int offset, byte[] boundary) {
            for (int i = 0; i < boundary.length; i++) {
                if (line[offset + i] != boundary[i]) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Reads a header up to and including its empty line (RFC 5322 §2.1), keeping the fields FETCH reports,
         * unfolded by removing the line breaks only (§2.2.3). A boundary line or a line that is no field ends
         * the header early and is left for the body.
         */
        private Map<String, String> header(List<byte[]> boundaries, boolean message) throws IOException {
            Map<String, StringBuilder> kept = new LinkedHashMap<>();
            Set<String> dropped = new HashSet<>();
            StringBuilder current = null;
            String currentName = "";
            while (true) {
                OctetLines.Line line = lines.read(maxFieldOctets + 1);
                if (line == null || line.isEmpty()) {
                    break;
                }
                if (boundary(line, boundaries) != null) {
                    lines.unread(line);
                    break;
                }
                String text = new String(line.kept(), StandardCharsets.ISO_8859_1);
                if (line.startsWithWhitespace()) {
                    // RFC 5322 §2.2.3 folding; a folded line before any field has nothing to continue and is dropped
                    if (current != null) {
                        if (current.length() + line.length() > maxFieldOctets) {
                            kept.remove(currentName);
                            dropped.add(currentName);
                            current = null;
                        } else {
                            current.append(text);
                        }
                    }
                    continue;
                }
                int colon = text.indexOf(':');
                String name = colon > 0 ? text.substring(0, colon).strip() : "";
                if (name.isEmpty() || !isFieldName(name)) {
                    lines.unread(line);
                    break;
                }
                String lower = name.toLowerCase(Locale.ROOT);
                boolean wanted = PART_FIELDS.contains(lower) || message && ENVELOPE_FIELDS.contains(lower);
                current = null;
                if (wanted && !kept.containsKey(lower) && !dropped.contains(lower)) {
                    if (line.length() > maxFieldOctets) {
                        dropped.add(lower); // too long to keep: left out, as if absent
                    } else {
                        current = new StringBuilder(text.substring(colon + 1));
                        currentName = lower;
                        kept.put(lower, current);
                    }
                }
            }
            Map<String, String> fields = new LinkedHashMap<>();
            kept.forEach((name, value) -> fields.put(name, value.toString()));
            return fields;
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
    }
}
