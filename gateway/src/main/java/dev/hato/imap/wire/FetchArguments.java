package dev.hato.imap.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of FETCH (RFC 3501 §6.4.5): the attributes and their macros, BODY sections and partials, RFC 3516
 * BINARY sections, and RFC 7162 fetch modifiers.
 */
final class FetchArguments {

    private FetchArguments() {
    }

    static ImapCommand fetch(ImapCursor c, String tag, boolean uid) {
        c.requireSp();
        SequenceSet set = c.sequenceSet();
        c.requireSp();
        List<FetchAttribute> attributes = new ArrayList<>();
        if (c.peek() == '(') {
            c.open();
            do {
                attributes.add(fetchAttribute(c));
            } while (c.sp());
            c.close();
        } else {
            String word = c.peekAtomUpper();
            switch (word) {
                // RFC 3501 §6.4.5 macros
                case "ALL" -> {
                    c.atom();
                    attributes.addAll(simple(FetchAttribute.Item.FLAGS, FetchAttribute.Item.INTERNALDATE,
                            FetchAttribute.Item.RFC822_SIZE, FetchAttribute.Item.ENVELOPE));
                }
                case "FAST" -> {
                    c.atom();
                    attributes.addAll(simple(FetchAttribute.Item.FLAGS, FetchAttribute.Item.INTERNALDATE,
                            FetchAttribute.Item.RFC822_SIZE));
                }
                case "FULL" -> {
                    c.atom();
                    attributes.addAll(simple(FetchAttribute.Item.FLAGS, FetchAttribute.Item.INTERNALDATE,
                            FetchAttribute.Item.RFC822_SIZE, FetchAttribute.Item.ENVELOPE,
                            FetchAttribute.Item.BODY));
                }
                default -> attributes.add(fetchAttribute(c));
            }
        }
        Long changedSince = null;
        boolean vanished = false;
        if (c.sp()) {
            // RFC 4466 §2.4 fetch-modifiers; RFC 7162 §3.1.4 CHANGEDSINCE, §3.2.6 VANISHED.
            c.open();
            do {
                String modifier = c.atom().toUpperCase(Locale.ROOT);
                switch (modifier) {
                    case "CHANGEDSINCE" -> {
                        c.requireSp();
                        changedSince = c.number64();
                    }
                    case "VANISHED" -> vanished = true;
                    default -> throw new ImapSyntaxError("Unknown fetch modifier " + modifier);
                }
            } while (c.sp());
            c.close();
            if (vanished && (!uid || changedSince == null)) {
                throw new ImapSyntaxError("VANISHED needs UID FETCH with CHANGEDSINCE");
            }
        }
        return new ImapCommand.Fetch(tag, uid, set, attributes, changedSince, vanished);
    }

    private static List<FetchAttribute> simple(FetchAttribute.Item... items) {
        List<FetchAttribute> attributes = new ArrayList<>();
        for (FetchAttribute.Item item : items) {
            attributes.add(new FetchAttribute.Simple(item));
        }
        return attributes;
    }

    private static FetchAttribute fetchAttribute(ImapCursor c) {
        String name = c.takeWhile(b -> ImapCommandParser.isAtomChar(b) && b != '[' && b != '<')
                .toUpperCase(Locale.ROOT);
        switch (name) {
            case "ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822", "RFC822.HEADER", "RFC822.SIZE", "RFC822.TEXT",
                    "BODYSTRUCTURE", "UID", "MODSEQ", "SAVEDATE" -> {
                return new FetchAttribute.Simple(FetchAttribute.Item.valueOf(name.replace('.', '_')));
            }
            case "BODY", "BODY.PEEK" -> {
                if (c.peek() != '[') {
                    if (name.equals("BODY.PEEK")) {
                        throw new ImapSyntaxError("BODY.PEEK needs a section");
                    }
                    return new FetchAttribute.Simple(FetchAttribute.Item.BODY);
                }
                FetchAttribute.Section section = section(c);
                return new FetchAttribute.Body(name.equals("BODY.PEEK"), section, partial(c));
            }
            case "BINARY", "BINARY.PEEK" -> {
                List<Integer> part = binarySection(c);
                return new FetchAttribute.Binary(name.equals("BINARY.PEEK"), part, partial(c));
            }
            case "BINARY.SIZE" -> {
                return new FetchAttribute.BinarySize(binarySection(c));
            }
            case "EMAILID" -> {
                return new FetchAttribute.EmailId();
            }
            case "THREADID" -> {
                return new FetchAttribute.ThreadId();
            }
            case "PREVIEW" -> {
                return preview(c);
            }
            default -> throw new ImapSyntaxError(name.isEmpty() ? "Expected a fetch attribute"
                    : "Unknown fetch attribute " + name);
        }
    }

    /**
     * RFC 8970 §6: "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"], preview-mod = "LAZY". A parenthesis after
     * {@code FETCH 1 PREVIEW} may also open the fetch modifiers (RFC 4466 §2.4), so it is the preview's only when LAZY
     * comes first in it.
     */
    private static FetchAttribute preview(ImapCursor c) {
        boolean lazy = false;
        if (c.peek() == ' ' && c.peekAt(1) == '(' && lazyAt(c, 2)) {
            c.requireSp();
            c.open();
            do {
                String modifier = c.atom().toUpperCase(Locale.ROOT);
                if (!modifier.equals("LAZY")) {
                    throw new ImapSyntaxError("Unknown PREVIEW modifier " + modifier);
                }
                lazy = true;
            } while (c.sp());
            c.close();
        }
        return new FetchAttribute.Preview(lazy);
    }

    private static boolean lazyAt(ImapCursor c, int offset) {
        String word = "LAZY";
        for (int i = 0; i < word.length(); i++) {
            if (Character.toUpperCase(c.peekAt(offset + i)) != word.charAt(i)) {
                return false;
            }
        }
        int after = c.peekAt(offset + word.length());
        return after == ' ' || after == ')';
    }

    /** section = "[" [section-spec] "]". */
    private static FetchAttribute.Section section(ImapCursor c) {
        c.expect('[');
        List<Integer> part = new ArrayList<>();
        FetchAttribute.Text text = null;
        List<String> fields = new ArrayList<>();
        if (c.peek() != ']') {
            while (c.peek() >= '0' && c.peek() <= '9') {
                part.add((int) Math.min(c.nzNumber(), Integer.MAX_VALUE));
                if (c.peek() != '.') {
                    break;
                }
                c.next();
            }
            boolean afterDot = c.previousIs('.');
            if (part.isEmpty() || afterDot) {
                String word = c.takeWhile(b -> ImapCommandParser.isAtomChar(b) && b != '[')
                        .toUpperCase(Locale.ROOT);
                text = switch (word) {
                    case "HEADER" -> FetchAttribute.Text.HEADER;
                    case "HEADER.FIELDS" -> FetchAttribute.Text.HEADER_FIELDS;
                    case "HEADER.FIELDS.NOT" -> FetchAttribute.Text.HEADER_FIELDS_NOT;
                    case "TEXT" -> FetchAttribute.Text.TEXT;
                    case "MIME" -> FetchAttribute.Text.MIME;
                    default -> throw new ImapSyntaxError("Invalid section " + word);
                };
                if (text == FetchAttribute.Text.HEADER_FIELDS || text == FetchAttribute.Text.HEADER_FIELDS_NOT) {
                    c.requireSp();
                    c.open();
                    do {
                        fields.add(c.astring());
                    } while (c.sp());
                    c.close();
                }
            }
        }
        c.expect(']');
        return new FetchAttribute.Section(part, text, fields);
    }

    /** RFC 3516 section-binary = "[" [section-part] "]". */
    private static List<Integer> binarySection(ImapCursor c) {
        c.expect('[');
        List<Integer> part = new ArrayList<>();
        if (c.peek() != ']') {
            do {
                part.add((int) Math.min(c.nzNumber(), Integer.MAX_VALUE));
            } while (c.peek() == '.' && c.next() == '.');
        }
        c.expect(']');
        return part;
    }

    /** RFC 9051 §9 partial: "&lt;" number64 "." nz-number64 "&gt;" (RFC 3501's 32-bit numbers widened). */
    private static FetchAttribute.@Nullable Partial partial(ImapCursor c) {
        if (c.peek() != '<') {
            return null;
        }
        c.next();
        long offset = c.number64();
        c.expect('.');
        long length = c.number64();
        if (length == 0) {
            throw new ImapSyntaxError("Zero is not a valid number here");
        }
        c.expect('>');
        return new FetchAttribute.Partial(offset, length);
    }
}
