package dev.hato.imap.wire;

import dev.hato.protocol.wire.LineFramer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * Cuts IMAP commands out of the byte stream of one connection (RFC 3501 §2.2, §4.3; RFC 7888). One instance per
 * connection, plain state, no locks: the caller pushes whatever bytes arrived and calls {@link #next(ByteBuffer)}
 * until it returns {@link ImapDecoded#NEED_MORE}.
 *
 * <p>A line ending in {@code {n}} or {@code {n+}} announces a literal of n octets that follows the CRLF; the octets
 * are handed out in bounded chunks as they arrive, never buffered whole, and then the line continues. A bare LF ends
 * a line as CRLF does (deployed clients send it; the CR right before an LF is stripped).
 *
 * <p>A breach (line too long, literal too large, malformed announcement) is reported once as a
 * {@link ImapDecoded.Failure}; the framer then drops the rest of that command. A refused synchronizing literal ends
 * the command, since the client never sends its octets without {@code + go ahead}; a refused {@code {n+}} literal's
 * octets come anyway and are counted off and dropped (RFC 7888 §4), as are those of any later {@code {n+}} in the same
 * line, so literal content is never read as commands.
 */
public final class ImapFramer {

    /**
     * The framer's limits. {@code maxNonSynchronizingLiteralSize} is 4096 for LITERAL- (RFC 7888 §4) or equal to
     * {@code maxLiteralSize} for LITERAL+.
     *
     * @param maxLineLength the longest line text in octets, literal contents and line endings excluded
     * @param maxLiteralSize the largest literal; lower it before login, raise it after with {@link #maxLiteralSize(long)}
     * @param maxNonSynchronizingLiteralSize the largest {@code {n+}} literal
     * @param maxChunkSize the largest {@link ImapDecoded.LiteralChunk}
     */
    public record Limits(int maxLineLength, long maxLiteralSize, long maxNonSynchronizingLiteralSize,
            int maxChunkSize) {

        public Limits {
            if (maxLineLength < 1 || maxLineLength > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("maxLineLength out of range: " + maxLineLength);
            }
            if (maxLiteralSize < 0) {
                throw new IllegalArgumentException("maxLiteralSize out of range: " + maxLiteralSize);
            }
            if (maxNonSynchronizingLiteralSize < 0) {
                throw new IllegalArgumentException(
                        "maxNonSynchronizingLiteralSize out of range: " + maxNonSynchronizingLiteralSize);
            }
            if (maxChunkSize < 1) {
                throw new IllegalArgumentException("maxChunkSize out of range: " + maxChunkSize);
            }
        }

        /** 8 KiB lines, 64 KiB literals (before login), LITERAL+ up to that, 16 KiB chunks. */
        public static Limits defaults() {
            return new Limits(8192, 64 * 1024, 64 * 1024, 16 * 1024);
        }

        public Limits withMaxLineLength(int value) {
            return new Limits(value, maxLiteralSize, maxNonSynchronizingLiteralSize, maxChunkSize);
        }

        public Limits withMaxLiteralSize(long value) {
            return new Limits(maxLineLength, value, maxNonSynchronizingLiteralSize, maxChunkSize);
        }

        public Limits withMaxNonSynchronizingLiteralSize(long value) {
            return new Limits(maxLineLength, maxLiteralSize, value, maxChunkSize);
        }

        public Limits withMaxChunkSize(int value) {
            return new Limits(maxLineLength, maxLiteralSize, maxNonSynchronizingLiteralSize, value);
        }
    }

    private enum State { LINE, LITERAL, SKIP_LITERAL, DISCARD_LINE }

    /** What the end of a line segment announces. */
    private enum Announcement { NONE, MALFORMED, SYNCHRONIZING, NON_SYNCHRONIZING }

    private static final int INITIAL_CAPACITY = 256;
    /** Enough for "{" + 18 digits + "+}" + CR, the longest announcement accepted. */
    private static final int TAIL = 24;
    private static final int MAX_DIGITS = 18;

    private final int maxLineLength;
    private final long maxNonSynchronizingLiteralSize;
    private final int maxChunkSize;
    /** Whether the octets of a {@code {n}} literal come without a continuation request (ManageSieve). */
    private final boolean octetsFollowAtOnce;
    private long maxLiteralSize;

    private State state = State.LINE;
    /** The line text so far, up to {@code maxLineLength + 1} octets (the limit plus a CR split from its LF). */
    private byte[] line;
    private int length;
    /** Where the text after the last literal starts: only there can the next announcement be. */
    private int segmentStart;
    /** Octets of the current literal still to hand out or to drop. */
    private long remaining;
    /** Whether the current literal is {@code {n}}, whose octets wait for the session's continuation. */
    private boolean synchronizingLiteral;
    /** Whether the current literal's end has been reported (a zero-length literal ends at once). */
    private boolean literalEnded = true;
    /** The last octets of a line being discarded, to see whether it ends in an announcement. */
    private final byte[] tail = new byte[TAIL];
    private int tailLength;
    /** Result of {@link #announcement(byte[], int, int)}. */
    private long announcedSize;

    public ImapFramer(Limits limits) {
        this(limits, false);
    }

    /**
     * A framer for a protocol of IMAP's string syntax whose clients send a synchronizing literal's octets without
     * waiting, when {@code octetsFollowAtOnce}: ManageSieve has no continuation request (RFC 5804 §4), so a refused
     * {@code {n}} literal is counted off and dropped as a refused {@code {n+}} is, never read as commands.
     */
    public ImapFramer(Limits limits, boolean octetsFollowAtOnce) {
        this.octetsFollowAtOnce = octetsFollowAtOnce;
        this.maxLineLength = limits.maxLineLength();
        this.maxLiteralSize = limits.maxLiteralSize();
        this.maxNonSynchronizingLiteralSize = limits.maxNonSynchronizingLiteralSize();
        this.maxChunkSize = limits.maxChunkSize();
        this.line = new byte[Math.min(INITIAL_CAPACITY, maxLineLength + 1)];
    }

    /** Changes the literal limit for the next announcement: after login the session raises it (STYLE §2). */
    public void maxLiteralSize(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("maxLiteralSize out of range: " + value);
        }
        this.maxLiteralSize = value;
    }

    /**
     * Consumes bytes of {@code in} and returns the next value they complete. Bytes after a returned {@link
     * ImapDecoded.Frame} stay in {@code in}; {@link ImapDecoded#NEED_MORE} means all of {@code in} was consumed.
     */
    public ImapDecoded next(ByteBuffer in) {
        while (true) {
            switch (state) {
                case LITERAL -> {
                    if (remaining == 0) {
                        state = State.LINE;
                        if (!literalEnded) {
                            literalEnded = true;
                            return ImapDecoded.LITERAL_END;
                        }
                        continue;
                    }
                    if (!in.hasRemaining()) {
                        return ImapDecoded.NEED_MORE;
                    }
                    int n = (int) Math.min(remaining, Math.min(in.remaining(), maxChunkSize));
                    byte[] chunk = new byte[n];
                    in.get(chunk);
                    remaining -= n;
                    return new ImapDecoded.LiteralChunk(ByteBuffer.wrap(chunk));
                }
                case SKIP_LITERAL -> {
                    int n = (int) Math.min(remaining, in.remaining());
                    in.position(in.position() + n);
                    remaining -= n;
                    if (remaining > 0) {
                        return ImapDecoded.NEED_MORE;
                    }
                    // RFC 7888 §4: after the dropped octets the refused command's line continues; drop it too.
                    state = State.DISCARD_LINE;
                    tailLength = 0;
                }
                case DISCARD_LINE -> {
                    int lf = LineFramer.indexOfLineFeed(in, in.position(), in.limit());
                    if (lf < 0) {
                        keepTail(in, in.position(), in.limit());
                        in.position(in.limit());
                        return ImapDecoded.NEED_MORE;
                    }
                    keepTail(in, in.position(), lf);
                    in.position(lf + 1);
                    int end = tailLength > 0 && tail[tailLength - 1] == '\r' ? tailLength - 1 : tailLength;
                    if (octetsComing(announcement(tail, 0, end))) {
                        remaining = announcedSize;
                        state = State.SKIP_LITERAL;
                    } else {
                        // No announcement, or a synchronizing one whose octets will not come without "+".
                        state = State.LINE;
                    }
                }
                case LINE -> {
                    ImapDecoded decoded = line(in);
                    if (decoded != null) {
                        return decoded;
                    }
                }
                default -> throw new IllegalStateException(state.toString());
            }
        }
    }

    /**
     * Refuses the literal just announced by {@link ImapDecoded.LiteralStart}, for a reason the framer cannot see
     * (APPEND to a mailbox that does not exist, a quota): the session answers {@code tag NO} / {@code tag BAD} instead
     * of {@code + go ahead} (RFC 3501 §7.5). The rest of the command is dropped; for {@code {n+}} its octets are on
     * their way and are counted off (RFC 7888 §4). Does nothing unless a literal has started and no chunk of it was
     * handed out.
     */
    public void refuseLiteral() {
        if (state != State.LITERAL || literalEnded || remaining != announcedSize) {
            return;
        }
        clearLine();
        literalEnded = true;
        if (synchronizingLiteral && !octetsFollowAtOnce) {
            remaining = 0;
            state = State.LINE;
        } else {
            state = State.SKIP_LITERAL;
        }
    }

    /**
     * Drops everything of the command being received. Used at STARTTLS: bytes a client pipelined after the command
     * must not be read as if they had come over TLS (RFC 3501 §11.1).
     */
    public void reset() {
        state = State.LINE;
        length = 0;
        segmentStart = 0;
        remaining = 0;
        literalEnded = true;
        tailLength = 0;
        if (line.length > INITIAL_CAPACITY) {
            line = new byte[Math.min(INITIAL_CAPACITY, maxLineLength + 1)];
        }
    }

    /** The octets the framer holds for a partial line: never more than the line limit plus one. */
    int retainedCapacity() {
        return line.length + tail.length;
    }

    /** The LINE state: returns a value, or null to go on in the state it switched to. */
    private @Nullable ImapDecoded line(ByteBuffer in) {
        int start = in.position();
        int lf = LineFramer.indexOfLineFeed(in, start, in.limit());
        int end = lf < 0 ? in.limit() : lf;
        if ((long) length + (end - start) > maxLineLength + 1L) {
            return tooLong(in);
        }
        append(in, start, end);
        if (lf < 0) {
            in.position(in.limit());
            return ImapDecoded.NEED_MORE;
        }
        in.position(lf + 1);
        // RFC 3501 §2.2: CRLF ends the line; the CR is not part of it.
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        Announcement announcement = announcement(line, segmentStart, length);
        if (length > maxLineLength) {
            // Exactly one octet over the limit and no CR to strip: the line is complete, so only a {n+} needs skipping.
            ImapDecoded failure = failure(ImapDecoded.Failure.Kind.LINE_TOO_LONG,
                    "Line longer than " + maxLineLength + " octets");
            skipIfNonSynchronizing(announcement);
            return failure;
        }
        switch (announcement) {
            case NONE -> {
                byte[] frame = Arrays.copyOf(line, length);
                clearLine();
                return new ImapDecoded.Frame(frame);
            }
            case MALFORMED -> {
                return failure(ImapDecoded.Failure.Kind.MALFORMED_LITERAL, "Malformed literal announcement");
            }
            default -> {
                boolean synchronizing = announcement == Announcement.SYNCHRONIZING;
                long limit = synchronizing ? maxLiteralSize : Math.min(maxLiteralSize, maxNonSynchronizingLiteralSize);
                if (announcedSize > limit) {
                    ImapDecoded failure = failure(ImapDecoded.Failure.Kind.LITERAL_TOO_LARGE,
                            "Literal larger than " + limit + " octets");
                    skipIfNonSynchronizing(announcement);
                    return failure;
                }
                String prefix = new String(line, 0, length, StandardCharsets.UTF_8);
                segmentStart = length;
                remaining = announcedSize;
                literalEnded = false;
                synchronizingLiteral = synchronizing;
                state = State.LITERAL;
                return new ImapDecoded.LiteralStart(announcedSize, synchronizing, prefix);
            }
        }
    }

    /** Keeps what fits of the overlong line for its tag, then drops the rest of it as it arrives. */
    private ImapDecoded tooLong(ByteBuffer in) {
        int room = maxLineLength + 1 - length;
        int start = in.position();
        int take = Math.min(room, in.remaining());
        append(in, start, start + take);
        in.position(start + take);
        ImapDecoded failure = failure(ImapDecoded.Failure.Kind.LINE_TOO_LONG,
                "Line longer than " + maxLineLength + " octets");
        tailLength = 0;
        keepTail(ByteBuffer.wrap(line), Math.max(segmentStart, length - TAIL), length);
        state = State.DISCARD_LINE;
        clearLine();
        return failure;
    }

    private void skipIfNonSynchronizing(Announcement announcement) {
        if (octetsComing(announcement)) {
            remaining = announcedSize;
            state = State.SKIP_LITERAL;
        }
    }

    /** Whether the octets of a refused literal so announced arrive anyway and must be dropped as they do. */
    private boolean octetsComing(Announcement announcement) {
        return announcement == Announcement.NON_SYNCHRONIZING
                || octetsFollowAtOnce && announcement == Announcement.SYNCHRONIZING;
    }

    /** The failure for the current line, tagged when the line began with a tag; clears the line. */
    private ImapDecoded failure(ImapDecoded.Failure.Kind kind, String detail) {
        String tag = tag();
        clearLine();
        return new ImapDecoded.Failure(kind, tag, detail);
    }

    private void clearLine() {
        length = 0;
        segmentStart = 0;
        if (line.length > INITIAL_CAPACITY) {
            line = new byte[Math.min(INITIAL_CAPACITY, maxLineLength + 1)];
        }
    }

    /** RFC 3501 §9: tag = 1*<any ASTRING-CHAR except "+">, followed by SP. */
    private @Nullable String tag() {
        for (int i = 0; i < length; i++) {
            byte b = line[i];
            if (b == ' ') {
                return i == 0 ? null : new String(line, 0, i, StandardCharsets.US_ASCII);
            }
            if (b <= 0 || !ImapCommandParser.isAstringChar(b) || b == '+') {
                return null;
            }
        }
        return null;
    }

    /**
     * RFC 3501 §9 literal = "{" number "}" CRLF; RFC 7888 adds "{" number "+}". A segment ending in "}" whose braces
     * hold only digits and "+" but not in that shape is malformed; anything else ending in "}" is left to the grammar.
     */
    private Announcement announcement(byte[] bytes, int from, int to) {
        if (to - from < 3 || bytes[to - 1] != '}') {
            return Announcement.NONE;
        }
        int open = -1;
        for (int i = to - 2; i >= from && i >= to - TAIL; i--) {
            byte b = bytes[i];
            if (b == '{') {
                open = i;
                break;
            }
            if (b != '+' && (b < '0' || b > '9')) {
                return Announcement.NONE;
            }
        }
        if (open < 0) {
            return Announcement.NONE;
        }
        int digitsEnd = bytes[to - 2] == '+' ? to - 2 : to - 1;
        int digits = digitsEnd - (open + 1);
        if (digits < 1 || digits > MAX_DIGITS) {
            return Announcement.MALFORMED;
        }
        long size = 0;
        for (int i = open + 1; i < digitsEnd; i++) {
            byte b = bytes[i];
            if (b < '0' || b > '9') {
                return Announcement.MALFORMED;
            }
            size = size * 10 + (b - '0');
        }
        announcedSize = size;
        return digitsEnd == to - 2 ? Announcement.NON_SYNCHRONIZING : Announcement.SYNCHRONIZING;
    }

    private void keepTail(ByteBuffer in, int from, int to) {
        int count = to - from;
        if (count >= TAIL) {
            in.get(to - TAIL, tail, 0, TAIL);
            tailLength = TAIL;
            return;
        }
        int keep = Math.min(tailLength, TAIL - count);
        System.arraycopy(tail, tailLength - keep, tail, 0, keep);
        in.get(from, tail, keep, count);
        tailLength = keep + count;
    }

    private void append(ByteBuffer in, int from, int to) {
        int count = to - from;
        if (count == 0) {
            return;
        }
        int needed = length + count;
        if (needed > line.length) {
            int capacity = (int) Math.min((long) maxLineLength + 1, Math.max(needed, 2L * line.length));
            line = Arrays.copyOf(line, capacity);
        }
        in.get(from, line, length, count);
        length = needed;
    }
}
