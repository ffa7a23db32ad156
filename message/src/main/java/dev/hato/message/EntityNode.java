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

    final long headerStart;
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
}
