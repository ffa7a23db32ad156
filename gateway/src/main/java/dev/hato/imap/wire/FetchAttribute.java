package dev.hato.imap.wire;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One RFC 3501 §6.4.5 fetch-att (plus RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8474 EMAILID and THREADID, RFC 8970
 * PREVIEW); macros arrive expanded.
 */
public sealed interface FetchAttribute {

    /**
     * Attributes without section: ENVELOPE, FLAGS, INTERNALDATE, RFC822*, BODY, BODYSTRUCTURE, UID, MODSEQ, RFC 8514
     * SAVEDATE.
     */
    enum Item { ENVELOPE, FLAGS, INTERNALDATE, RFC822, RFC822_HEADER, RFC822_SIZE, RFC822_TEXT, BODY, BODYSTRUCTURE,
        UID, MODSEQ, SAVEDATE }

    record Simple(Item item) implements FetchAttribute {
    }

    /** BODY[section]&lt;partial&gt; and BODY.PEEK[...] (peek: do not set \Seen). */
    record Body(boolean peek, Section section, @Nullable Partial partial) implements FetchAttribute {
    }

    /** RFC 3516 BINARY[part]&lt;partial&gt; and BINARY.PEEK. */
    record Binary(boolean peek, List<Integer> part, @Nullable Partial partial) implements FetchAttribute {
        public Binary {
            part = List.copyOf(part);
        }
    }

    /** RFC 3516 BINARY.SIZE[part]. */
    record BinarySize(List<Integer> part) implements FetchAttribute {
        public BinarySize {
            part = List.copyOf(part);
        }
    }

    /** RFC 8474 §5.3 EMAILID. */
    record EmailId() implements FetchAttribute {
    }

    /** RFC 8474 §5.3 THREADID. */
    record ThreadId() implements FetchAttribute {
    }

    /** RFC 8970 §3.1 PREVIEW, with the §4.1 LAZY modifier: NIL rather than make a preview now. */
    record Preview(boolean lazy) implements FetchAttribute {
    }

    /** Section-text kinds of RFC 3501 §9 section-msgtext / section-text. */
    enum Text { HEADER, HEADER_FIELDS, HEADER_FIELDS_NOT, TEXT, MIME }

    /**
     * A section spec: part numbers ({@code 1.2.3}), then an optional text kind; header field names for
     * HEADER.FIELDS[.NOT]. An empty part and no text is the whole message, {@code BODY[]}.
     */
    record Section(List<Integer> part, @Nullable Text text, List<String> fields) {
        public Section {
            part = List.copyOf(part);
            fields = List.copyOf(fields);
            if (text == Text.MIME && part.isEmpty()) {
                throw new IllegalArgumentException("MIME needs a part number");
            }
        }

        public static Section whole() {
            return new Section(List.of(), null, List.of());
        }
    }

    /** {@code <offset.length>}. */
    record Partial(long offset, long length) {
        public Partial {
            if (offset < 0 || length < 1) {
                throw new IllegalArgumentException("bad partial <" + offset + "." + length + ">");
            }
        }
    }
}
