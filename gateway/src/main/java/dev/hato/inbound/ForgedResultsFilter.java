package dev.hato.inbound;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * RFC 8601 §5: an Authentication-Results field that arrives claiming our authserv-id is a forgery (only we add
 * those, after this filter). This filter renames such fields in the header section as the message streams through
 * it, to {@code X-Original-Auth-Result} — a name of the same length, so nothing else in the message moves and the
 * parse that runs in the same pass stays exact. A field whose authserv-id is not known after {@link #MAX_HELD}
 * octets (comments piled up in front of it) is renamed too. Everything after the header section passes unchanged.
 *
 * <p>Octets are held back only from the start of a candidate field until its authserv-id is read, at most
 * {@link #MAX_HELD}; {@link #finish()} hands out what is still held when the message ends.
 */
public final class ForgedResultsFilter {

    static final int MAX_HELD = 1024;
    private static final byte[] NAME = "authentication-results".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RENAMED = "X-Original-Auth-Result".getBytes(StandardCharsets.US_ASCII);

    private enum State { LINE_START, NAME, OTHER_FIELD, BEFORE_COLON, BEFORE_ID, COMMENT, ID, BODY }

    private final String authservId;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private State state = State.LINE_START;
    private int matched;
    private int commentDepth;
    private boolean escaped;
    private final StringBuilder id = new StringBuilder();
    /** Whether the previous octet was LF (a line start), and whether the line so far is empty (its end: the body). */
    private boolean lineEmpty = true;
    /** Inside a candidate field's value: the previous octet was LF (a continuation line must start with WSP). */
    private boolean afterLf;
    private int renamed;

    public ForgedResultsFilter(String authservId) {
        this.authservId = authservId.toLowerCase(Locale.ROOT);
    }

    /** How many fields were renamed. */
    public int renamed() {
        return renamed;
    }

    /** The octets to pass on for {@code chunk} (position to limit; the chunk is not changed). */
    public ByteBuffer filter(ByteBuffer chunk) {
        if (state == State.BODY && held.size() == 0) {
            return chunk;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(chunk.remaining() + held.size());
        for (int i = chunk.position(), end = chunk.limit(); i < end; i++) {
            octet(chunk.get(i), out);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    /** The octets still held when the message ends (a header section that ended inside a candidate field). */
    public ByteBuffer finish() {
        ByteBuffer rest = ByteBuffer.wrap(held.toByteArray());
        held.reset();
        state = State.BODY;
        return rest;
    }

    private void octet(byte b, ByteArrayOutputStream out) {
        switch (state) {
            case BODY -> out.write(b);
            case LINE_START, NAME -> {
                int lower = b >= 'A' && b <= 'Z' ? b + 32 : b;
                if (matched < NAME.length && lower == NAME[matched]) {
                    held.write(b);
                    matched++;
                    state = State.NAME;
                } else if (matched == NAME.length && (b == ':' || b == ' ' || b == '\t')) {
                    held.write(b);
                    state = b == ':' ? State.BEFORE_ID : State.BEFORE_COLON;
                } else {
                    release(out);
                    state = State.OTHER_FIELD;
                    octetInOther(b, out);
                }
            }
            case OTHER_FIELD -> octetInOther(b, out);
            case BEFORE_COLON -> {
                if (b == ':') {
                    held.write(b);
                    state = State.BEFORE_ID;
                } else if (b == ' ' || b == '\t') {
                    held.write(b);
                } else {
                    release(out);
                    state = State.OTHER_FIELD;
                    octetInOther(b, out);
                }
            }
            case BEFORE_ID, COMMENT, ID -> {
                if (afterLf && b != ' ' && b != '\t') {
                    // The field ended before an authserv-id was read: not a claim of ours; this octet starts a line.
                    release(out);
                    afterLf = false;
                    lineEmpty = true;
                    state = State.LINE_START;
                    if (b == '\r' || b == '\n') {
                        octetInOther(b, out);
                        if (state == State.OTHER_FIELD) {
                            state = State.LINE_START;
                        }
                    } else {
                        octet(b, out);
                    }
                    return;
                }
                afterLf = b == '\n';
                held.write(b);
                decide(b, out);
            }
            default -> throw new IllegalStateException();
        }
    }

    /** Reads the authserv-id (RFC 8601 §2.2: CFWS, then a value token) and renames or releases the held field. */
    private void decide(byte b, ByteArrayOutputStream out) {
        if (held.size() > MAX_HELD) {
            rename(out);
            return;
        }
        char c = (char) (b & 0xFF);
        if (state == State.COMMENT) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '(') {
                commentDepth++;
            } else if (c == ')' && --commentDepth == 0) {
                state = State.BEFORE_ID;
            }
            return;
        }
        if (state == State.BEFORE_ID) {
            if (c == '(') {
                commentDepth = 1;
                state = State.COMMENT;
            } else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                state = State.ID;
                id.append(Character.toLowerCase(c));
            }
            return;
        }
        // ID: ends at ";", whitespace, a comment or a line end
        if (c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '(') {
            String claimed = id.toString();
            if (claimed.startsWith("\"") && claimed.endsWith("\"") && claimed.length() > 1) {
                claimed = claimed.substring(1, claimed.length() - 1);
            }
            if (claimed.equals(authservId)) {
                rename(out);
            } else {
                release(out);
                state = State.OTHER_FIELD;
                lineEmpty = false;
                if (c == '\n') {
                    trackLine(b);
                }
            }
        } else {
            id.append(Character.toLowerCase(c));
        }
    }

    private void rename(ByteArrayOutputStream out) {
        byte[] field = held.toByteArray();
        System.arraycopy(RENAMED, 0, field, 0, RENAMED.length);
        out.writeBytes(field);
        held.reset();
        renamed++;
        state = State.OTHER_FIELD;
        lineEmpty = false;
        resetCandidate();
        if (field[field.length - 1] == '\n') {
            trackLine((byte) '\n');
        }
    }

    private void release(ByteArrayOutputStream out) {
        out.writeBytes(held.toByteArray());
        held.reset();
        resetCandidate();
    }

    private void resetCandidate() {
        afterLf = false;
        matched = 0;
        commentDepth = 0;
        escaped = false;
        id.setLength(0);
    }

    private void octetInOther(byte b, ByteArrayOutputStream out) {
        out.write(b);
        trackLine(b);
    }

    /** A line ends at LF (a CR before it is part of the line end); an empty line ends the header section. */
    private void trackLine(byte b) {
        if (b == '\r') {
            return;
        }
        if (b != '\n') {
            lineEmpty = false;
            return;
        }
        if (lineEmpty) {
            state = State.BODY;
            return;
        }
        lineEmpty = true;
        state = State.LINE_START;
    }
}
