package dev.hato.message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One MIME entity of a parsed message, with its parts: where its header and body lie in the raw message (as in
 * {@link MessagePart}), how many lines its body has (RFC 3501 counts them for text and message/rfc822 parts), its
 * content type as resolved by RFC 2045 §5.2 and RFC 2046 (upper-cased, as IMAP shows it), and the header fields the
 * parser keeps, by lower-cased name, unfolded, with raw octets held one per char (ISO-8859-1).
 *
 * <p>A {@link MessagePart.Kind#MULTIPART} has its parts as children, a {@link MessagePart.Kind#MESSAGE}
 * (message/rfc822) exactly one, the encapsulated message.
 */
public record MimeEntity(long headerStart, long bodyStart, long end, long lines, MessagePart.Kind kind, String type,
        String subtype, List<MimeHeaderValue.Parameter> parameters, Map<String, String> fields,
        List<MimeEntity> children) {

    public MimeEntity {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(subtype, "subtype");
        parameters = List.copyOf(parameters);
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        children = List.copyOf(children);
    }

    /** The kept header field {@code name} (lower case), raw, or null. */
    public @Nullable String field(String name) {
        return fields.get(name);
    }

    /** The value of the first content-type parameter named {@code attribute} (case-insensitive), or null. */
    public @Nullable String parameter(String attribute) {
        for (MimeHeaderValue.Parameter parameter : parameters) {
            if (parameter.attribute().equalsIgnoreCase(attribute)) {
                return parameter.value();
            }
        }
        return null;
    }

    /**
     * This entity as it is described to {@code maxDepth} multipart and message/rfc822 levels: a multipart or
     * message/rfc822 entity {@code maxDepth} levels deep becomes an opaque application/octet-stream leaf (same
     * offsets, same kept fields), as the parser makes of entities past its own depth limit. The parser builds the
     * tree to the door's depth limit; how deep FETCH describes it is chosen here.
     */
    public MimeEntity within(int maxDepth) {
        if (maxDepth < 1) {
            throw new IllegalArgumentException("maxDepth must be at least 1");
        }
        return within(0, maxDepth);
    }

    private MimeEntity within(int depth, int maxDepth) {
        boolean container = type.equals("MULTIPART") || type.equals("MESSAGE") && subtype.equals("RFC822");
        if (depth >= maxDepth && container) {
            return new MimeEntity(headerStart, bodyStart, end, lines, MessagePart.Kind.LEAF, "APPLICATION",
                    "OCTET-STREAM", List.of(), fields, List.of());
        }
        if (children.isEmpty()) {
            return this;
        }
        List<MimeEntity> parts = new ArrayList<>(children.size());
        for (MimeEntity child : children) {
            parts.add(child.within(depth + 1, maxDepth));
        }
        return new MimeEntity(headerStart, bodyStart, end, lines, kind, type, subtype, parameters, fields, parts);
    }

    /** The offsets of this entity and its parts. */
    public MessagePart part() {
        List<MessagePart> parts = new ArrayList<>(children.size());
        for (MimeEntity child : children) {
            parts.add(child.part());
        }
        return new MessagePart(headerStart, bodyStart, end, kind, parts);
    }

    /**
     * A message described as one application/octet-stream body after its header (whose {@code header} fields still
     * give an envelope), from {@code bodyStart} to {@code end}: what a message the parser cannot describe becomes.
     */
    public static MimeEntity opaque(Map<String, String> header, long bodyStart, long end) {
        Map<String, String> fields = new LinkedHashMap<>(header);
        fields.remove("content-type");
        return new MimeEntity(0, bodyStart, end, 0, MessagePart.Kind.LEAF, "APPLICATION", "OCTET-STREAM", List.of(),
                fields, List.of());
    }
}
