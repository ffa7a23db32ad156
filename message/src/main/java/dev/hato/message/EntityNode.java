package dev.hato.message;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** One entity of a message while the {@link MessageParser} reads it: plain mutable state, the parser's own. */
final class EntityNode {

    /** Which part of the entity is being read. */
    enum Phase { HEADER, LEAF_BODY, MESSAGE, PARTS, EPILOGUE }

    /** Where its header starts; moved back only to its parent's end ({@code MessageParser}, RFC 2046 §5.1.1). */
    long headerStart;
    final List<Boundary> boundaries;
    final boolean inDigest;
    final int depth;
    final boolean message;
    Phase phase = Phase.HEADER;
    final Map<String, StringBuilder> kept = new LinkedHashMap<>();
    final Set<String> dropped = new HashSet<>();
    @Nullable StringBuilder current;
    String currentName = "";
    Map<String, String> fields = Map.of();
    long bodyStart;
    long startIndex;
    long end;
    long lines;
    MessagePart.Kind kind = MessagePart.Kind.LEAF;
    String type = "TEXT";
    String subtype = "PLAIN";
    List<MimeHeaderValue.Parameter> parameters = List.of();
    final List<EntityNode> children = new ArrayList<>();
    /** Inside a message/rfc822 whose transfer encoding transforms it: no text is collected here. */
    boolean textHidden;
    /** A multipart's boundaries while its parts are read: the enclosing ones and its own, last. */
    List<Boundary> inner = List.of();

    EntityNode(long headerStart, List<Boundary> boundaries, boolean inDigest, int depth, boolean message) {
        this.headerStart = headerStart;
        this.boundaries = boundaries;
        this.inDigest = inDigest;
        this.depth = depth;
        this.message = message;
    }

    MimeEntity entity() {
        List<MimeEntity> parts = new ArrayList<>(children.size());
        for (EntityNode child : children) {
            parts.add(child.entity());
        }
        return new MimeEntity(headerStart, bodyStart, end, lines, kind, type, subtype, parameters, fields, parts);
    }

    /**
     * The content type of RFC 2045 §5.2: text/plain; charset=us-ascii when absent or unparseable, message/rfc822
     * inside multipart/digest (RFC 2046 §5.1.5). A multipart without a boundary cannot be split and is read as a
     * leaf; past the depth limit multipart and message/rfc822 become opaque application/octet-stream leaves. True
     * when that made a leaf of an entity that could have been descended into.
     */
    boolean resolveType(boolean inDigest, boolean mayDescend) {
        String value = fields.get("content-type");
        MimeHeaderValue parsed = value == null ? null : MimeHeaderValue.contentType(value);
        if (parsed == null) {
            type = inDigest ? "MESSAGE" : "TEXT";
            subtype = inDigest ? "RFC822" : "PLAIN";
            parameters = inDigest ? List.of() : List.of(new MimeHeaderValue.Parameter("CHARSET", "US-ASCII"));
        } else {
            type = parsed.primary();
            subtype = parsed.subtype() == null ? "" : parsed.subtype();
            parameters = parsed.parameters();
        }
        boolean multipart = type.equals("MULTIPART");
        boolean message = type.equals("MESSAGE") && subtype.equals("RFC822");
        boolean cut = (multipart && boundary() != null || message) && !mayDescend;
        if ((multipart || message) && !mayDescend) {
            type = "APPLICATION";
            subtype = "OCTET-STREAM";
            parameters = List.of();
            multipart = false;
            message = false;
        }
        if (multipart && boundary() == null) {
            multipart = false;
        }
        kind = multipart ? MessagePart.Kind.MULTIPART : message ? MessagePart.Kind.MESSAGE : MessagePart.Kind.LEAF;
        return cut;
    }

    /** A non-empty boundary parameter short enough for a boundary line, or null. */
    @Nullable String boundary() {
        String boundary = parameter("boundary");
        return boundary == null || boundary.isEmpty()
                || boundary.length() > MessageLimits.BOUNDARY_LINE_OCTETS - 4 ? null : boundary;
    }

    /** The value of a Content-Type parameter, or null. */
    @Nullable String parameter(String attribute) {
        for (MimeHeaderValue.Parameter parameter : parameters) {
            if (parameter.attribute().equalsIgnoreCase(attribute)) {
                return parameter.value();
            }
        }
        return null;
    }

    /** The Content-Transfer-Encoding mechanism, or null. */
    @Nullable String transferEncoding() {
        String value = fields.get("content-transfer-encoding");
        return value == null ? null : MimeHeaderValue.firstToken(value);
    }

    /** Its transfer encoding transforms it, or no decoder knows it (RFC 2046 §5.2.1: not for message/rfc822). */
    boolean encoded() {
        TransferDecoder decoder = TransferDecoder.forMechanism(transferEncoding());
        return decoder == null || decoder.transforms();
    }
}
