package dev.hato.message;

import java.util.List;
import java.util.Optional;

/**
 * Where one MIME entity lies in the raw message: its header from {@code headerStart} to {@code bodyStart} and its
 * body from {@code bodyStart} to {@code end} (exclusive; RFC 2046 §5.1.1: the CRLF before a boundary belongs to the
 * boundary, not to the part). A {@link Kind#MULTIPART} has its parts as children; a {@link Kind#MESSAGE}
 * (message/rfc822) has exactly one child, the encapsulated message, whose header starts where this part's body does.
 */
public record MessagePart(long headerStart, long bodyStart, long end, Kind kind, List<MessagePart> children) {

    /** What kind of entity a part is, which decides how section numbers descend into it. */
    public enum Kind {
        LEAF, MULTIPART, MESSAGE
    }

    public MessagePart {
        if (headerStart < 0 || bodyStart < headerStart || end < bodyStart) {
            throw new IllegalArgumentException(
                    "offsets must satisfy 0 <= headerStart <= bodyStart <= end: " + headerStart + ", " + bodyStart
                            + ", " + end);
        }
        children = List.copyOf(children);
        if (kind == Kind.LEAF && !children.isEmpty()) {
            throw new IllegalArgumentException("a leaf part has no children");
        }
        if (kind == Kind.MESSAGE && children.size() != 1) {
            throw new IllegalArgumentException("a message/rfc822 part has exactly one encapsulated message");
        }
        if (kind == Kind.MULTIPART && children.isEmpty()) {
            throw new IllegalArgumentException("a multipart has at least one part");
        }
    }

    /**
     * The part a section number names, read from this part as a message (RFC 3501 §6.4.5): in a message whose body
     * is not multipart, part 1 is the body itself; in a multipart body, part n is its n-th part; a message/rfc822
     * part is descended into as the message it encapsulates. An empty path names this message.
     */
    public Optional<MessagePart> section(int... path) {
        if (path.length == 0) {
            return Optional.of(this);
        }
        Optional<MessagePart> current = partOfMessage(this, path[0]);
        for (int i = 1; i < path.length && current.isPresent(); i++) {
            MessagePart part = current.get();
            int number = path[i];
            current = switch (part.kind) {
                case MULTIPART -> childAt(part, number);
                case MESSAGE -> partOfMessage(part.children.get(0), number);
                case LEAF -> Optional.empty();
            };
        }
        return current;
    }

    private static Optional<MessagePart> partOfMessage(MessagePart message, int number) {
        if (message.kind == Kind.MULTIPART) {
            return childAt(message, number);
        }
        return number == 1 ? Optional.of(message) : Optional.empty();
    }

    private static Optional<MessagePart> childAt(MessagePart multipart, int number) {
        return number >= 1 && number <= multipart.children.size()
                ? Optional.of(multipart.children.get(number - 1))
                : Optional.empty();
    }
}
