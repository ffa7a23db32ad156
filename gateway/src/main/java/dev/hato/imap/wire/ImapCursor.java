package dev.hato.imap.wire;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A position in one command line, and the index of the next literal: the tokens of RFC 3501 §9 (atoms, strings,
 * literals, numbers, sequence sets, flags) that every command family's arguments are made of. One per parse.
 */
final class ImapCursor {

    /** A test on one octet of the line. */
    interface BytePredicate {
        boolean test(int b);
    }

    private final byte[] line;
    private final List<byte[]> literals;
    private final int maxDepth;
    private int pos;
    private int literal;
    private int depth;

    ImapCursor(byte[] line, List<byte[]> literals, int maxDepth) {
        this.line = line;
        this.literals = literals;
        this.maxDepth = maxDepth;
    }

    boolean atEnd() {
        return pos >= line.length;
    }

    int peek() {
        return peekAt(0);
    }

    int peekAt(int offset) {
        return pos + offset < line.length ? line[pos + offset] & 0xFF : -1;
    }

    int next() {
        if (atEnd()) {
            throw new ImapSyntaxError("Unexpected end of command");
        }
        return line[pos++] & 0xFF;
    }

    @Nullable String tag() {
        int start = pos;
        // RFC 3501 §9 tag: ASTRING-CHARs, which are 7-bit.
        while (!atEnd() && line[pos] > 0 && ImapCommandParser.isAstringChar(line[pos]) && line[pos] != '+') {
            pos++;
        }
        return pos == start ? null : ascii(start, pos);
    }

    boolean sp() {
        if (peek() == ' ') {
            pos++;
            return true;
        }
        return false;
    }

    void requireSp() {
        if (!sp()) {
            throw new ImapSyntaxError(atEnd() ? "Missing argument" : "Expected a space");
        }
    }

    void expect(char ch) {
        if (peek() != ch) {
            throw new ImapSyntaxError("Expected '" + ch + "'");
        }
        pos++;
    }

    void open() {
        expect('(');
        if (++depth > maxDepth) {
            throw new ImapSyntaxError("Lists nested too deeply");
        }
    }

    void close() {
        expect(')');
        depth--;
    }

    String takeWhile(BytePredicate predicate) {
        int start = pos;
        while (!atEnd() && predicate.test(line[pos] & 0xFF)) {
            pos++;
        }
        return utf8(start, pos);
    }

    String atom() {
        String atom = takeWhile(ImapCommandParser::isAtomChar);
        if (atom.isEmpty()) {
            throw new ImapSyntaxError(atEnd() ? "Missing argument" : "Expected an atom");
        }
        return atom;
    }

    String peekAtomUpper() {
        int start = pos;
        String word = takeWhile(ImapCommandParser::isAtomChar);
        pos = start;
        return word.toUpperCase(Locale.ROOT);
    }

    /** RFC 5256 §4 charset = atom / quoted. */
    String charset() {
        return peek() == '"' ? quoted() : atom();
    }

    /** Whether the next atom is {@code word}, case-insensitive. */
    boolean peekWord(String word) {
        return peekAtomUpper().equals(word);
    }

    /** "(" [atom *(SP atom)] ")". */
    List<String> atomList() {
        open();
        List<String> atoms = new ArrayList<>();
        if (peek() != ')') {
            do {
                atoms.add(atom());
            } while (sp());
        }
        close();
        return atoms;
    }

    String spAstring() {
        requireSp();
        return astring();
    }

    /** astring = 1*ASTRING-CHAR / string. */
    String astring() {
        int b = peek();
        if (b == '"' || b == '{') {
            return string();
        }
        String value = takeWhile(ImapCommandParser::isAstringChar);
        if (value.isEmpty()) {
            throw new ImapSyntaxError(atEnd() ? "Missing argument" : "Expected an astring");
        }
        return value;
    }

    /** string = quoted / literal. */
    String string() {
        int b = peek();
        if (b == '"') {
            return quoted();
        }
        if (b == '{') {
            int index = literal;
            long size = literalAnnouncement();
            byte[] content = literals.get(index);
            if (content.length != size) {
                throw new ImapSyntaxError("Literal size does not match its announcement");
            }
            // RFC 3501 §4.3, §9: literal = "{" number "}" CRLF *CHAR8, and CHAR8 excludes NUL; only a literal8
            // (RFC 3516, an APPEND message here) may hold one. Nothing downstream (the store's text columns
            // among them) is asked to handle it.
            for (byte octet : content) {
                if (octet == 0) {
                    throw new ImapSyntaxError("NUL in a literal: only a literal8 may contain one (RFC 3501 §4.3)");
                }
            }
            return new String(content, StandardCharsets.UTF_8);
        }
        throw new ImapSyntaxError("Expected a string");
    }

    @Nullable String nstring() {
        if (peekAt(0) == 'N' || peekAt(0) == 'n') {
            String word = atom();
            if (!word.equalsIgnoreCase("NIL")) {
                throw new ImapSyntaxError("Expected a string or NIL");
            }
            return null;
        }
        return string();
    }

    /** quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR escapes only DQUOTE and "\" (RFC 3501 §9). */
    String quoted() {
        expect('"');
        byte[] out = new byte[line.length - pos];
        int n = 0;
        while (true) {
            int b = next();
            if (b == '"') {
                return strictUtf8(out, n);
            }
            if (b == '\\') {
                b = next();
                if (b != '"' && b != '\\') {
                    throw new ImapSyntaxError("Invalid escape in quoted string");
                }
            } else if (b == 0) {
                throw new ImapSyntaxError("NUL in a quoted string: QUOTED-CHAR excludes it (RFC 3501 §9)");
            } else if (b == '\r' || b == '\n') {
                throw new ImapSyntaxError("Invalid character in quoted string");
            }
            out[n++] = (byte) b;
        }
    }

    /**
     * Consumes "{" number ["+"] "}" and claims the next literal. The framer already checked the announcement's
     * shape and its size against the limits.
     */
    long literalAnnouncement() {
        expect('{');
        long size = number64();
        if (peek() == '+') {
            pos++;
        }
        expect('}');
        if (literal >= literals.size()) {
            throw new ImapSyntaxError("Literal missing");
        }
        literal++;
        return size;
    }

    /** list-mailbox = 1*list-char / string. */
    String listMailbox() {
        int b = peek();
        if (b == '"' || b == '{') {
            return string();
        }
        String value = takeWhile(ImapCommandParser::isListChar);
        if (value.isEmpty()) {
            throw new ImapSyntaxError("Expected a mailbox pattern");
        }
        return value;
    }

    /** flag-list = "(" [flag *(SP flag)] ")". */
    List<String> flagList() {
        open();
        List<String> flags = new ArrayList<>();
        if (peek() != ')') {
            do {
                flags.add(flag());
            } while (sp());
        }
        close();
        return flags;
    }

    /** flag = "\" atom (system flags and flag-extension) / keyword. */
    String flag() {
        if (peek() == '\\') {
            pos++;
            return "\\" + atom();
        }
        return atom();
    }

    long number64() {
        int start = pos;
        long value = 0;
        while (!atEnd() && line[pos] >= '0' && line[pos] <= '9') {
            int digit = line[pos++] - '0';
            // RFC 7162 §7 mod-sequence-value is at most 2^63-1; nothing in IMAP is larger.
            if (value > (Long.MAX_VALUE - digit) / 10) {
                throw new ImapSyntaxError("Number too large");
            }
            value = value * 10 + digit;
        }
        if (pos == start) {
            throw new ImapSyntaxError("Expected a number");
        }
        return value;
    }

    /** RFC 3501 §9 number: 32-bit unsigned. */
    long number32() {
        long value = number64();
        if (value > 0xFFFF_FFFFL) {
            throw new ImapSyntaxError("Number too large");
        }
        return value;
    }

    long nzNumber() {
        long value = number32();
        if (value == 0) {
            throw new ImapSyntaxError("Zero is not a valid number here");
        }
        return value;
    }

    /** sequence-set = (seq-number / seq-range) ["," sequence-set], or RFC 5182 "$". */
    SequenceSet sequenceSet() {
        if (peek() == '$') {
            pos++;
            return SequenceSet.savedResult();
        }
        List<SequenceSet.Range> ranges = new ArrayList<>();
        do {
            long from = seqNumber();
            long to = from;
            if (peek() == ':') {
                pos++;
                to = seqNumber();
            }
            ranges.add(new SequenceSet.Range(from, to));
        } while (peek() == ',' && next() == ',');
        return new SequenceSet(false, ranges);
    }

    private long seqNumber() {
        if (peek() == '*') {
            pos++;
            return SequenceSet.STAR;
        }
        return nzNumber();
    }

    boolean startsSequenceSet() {
        int b = peek();
        return b == '$' || b == '*' || (b >= '0' && b <= '9');
    }

    /**
     * RFC 6855 §3: octets with the high bit set in a quoted string must be well-formed UTF-8, else the command is
     * BAD (never silently replaced, which could name another mailbox or search for another word).
     */
    private static String strictUtf8(byte[] octets, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(octets, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ImapSyntaxError("Malformed UTF-8 in a quoted string (RFC 6855 §3)");
        }
    }

    private String ascii(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.US_ASCII);
    }

    private String utf8(int from, int to) {
        return new String(line, from, to - from, StandardCharsets.UTF_8);
    }

    /** The index of the next literal to be claimed (the count claimed so far). */
    int literalIndex() {
        return literal;
    }

    /** How deep parenthesised lists and NOT/OR may nest. */
    int maxDepth() {
        return maxDepth;
    }

    /** Whether the octet just consumed is {@code ch}. */
    boolean previousIs(char ch) {
        return pos > 0 && line[pos - 1] == ch;
    }
}
