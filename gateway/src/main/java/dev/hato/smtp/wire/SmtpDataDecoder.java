package dev.hato.smtp.wire;

import dev.hato.protocol.wire.Decoded;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Decodes the content a client sends after "354" (RFC 5321 §4.1.1.4) into {@link Decoded.Chunk}s of unstuffed
 * message bytes and one {@link Decoded.End}. One instance per message; plain state, no locks.
 *
 * <p>Only {@code <CRLF>.<CRLF>} ends the content, the first CRLF being part of the message; content that starts
 * with {@code .<CRLF>} is an empty message. Every other look-alike ({@code <LF>.<CRLF>}, {@code <CR>.<CR>},
 * {@code <LF>.<LF>}, {@code <CRLF>.<LF>}, ...) is content: a receiver that accepted any of them would let a sender
 * smuggle a second message past a relay that does not (SMTP smuggling, CVE-2023-51766 and friends). Likewise a line
 * starts only after CRLF, so a dot after a bare LF is never unstuffed.
 *
 * <p>Dot-unstuffing (RFC 5321 §4.5.2): a line that starts with "." and is not the terminator loses that first dot,
 * whatever follows it, including a bare CR or LF (those are not line endings in SMTP, so the line "has other
 * characters").
 *
 * <p>The decoder never buffers the message: a {@link Decoded.Chunk} holds at most {@value #MAX_CHUNK} octets. Once
 * the content exceeds the size limit it keeps consuming up to the terminator but returns no further chunk, so the
 * session can answer "552" after {@link Decoded.End} (RFC 5321 §4.5.3.1.10) and stop writing as soon as
 * {@link #exceeded()} turns true.
 */
public final class SmtpDataDecoder {

    /** The largest chunk returned, in octets. */
    public static final int MAX_CHUNK = 64 * 1024;

    private static final int INITIAL_CAPACITY = 8 * 1024;

    private enum State {
        /** At the start of the content or right after CRLF. */
        LINE_START,
        /** Inside a line, the previous octet not a CR. */
        TEXT,
        /** Inside a line right after a CR (emitted already: it is content whatever follows). */
        CR,
        /** "." at a line start: a stuffed dot or the start of the terminator; not emitted. */
        DOT,
        /** ".CR" at a line start; the CR is held back until we know whether LF follows. */
        DOT_CR,
        /** The terminator was consumed. */
        DONE
    }

    private final long maxMessageSize;
    private byte[] out = new byte[INITIAL_CAPACITY];
    private int outLength;
    private State state = State.LINE_START;
    private long size;
    private boolean bareLineFeedOrCarriageReturn;
    private boolean nul;

    /**
     * @param maxMessageSize the largest accepted message in octets, after unstuffing
     */
    public SmtpDataDecoder(long maxMessageSize) {
        if (maxMessageSize < 0) {
            throw new IllegalArgumentException("maxMessageSize must not be negative: " + maxMessageSize);
        }
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Consumes content from {@code in}. Returns a {@link Decoded.Chunk} when it has content to hand over (its
     * chunk is full, {@code in} is exhausted, or the terminator was reached), {@link Decoded#END} once the
     * terminator was consumed and all content handed over, and {@link Decoded#NEED_MORE} when {@code in} is
     * exhausted with nothing to hand over. After the end, {@code in} is positioned right after the terminating CRLF,
     * and further calls return {@link Decoded#END} without consuming anything.
     */
    public Decoded next(ByteBuffer in) {
        // Each step emits at most two octets (a held-back CR and the current one).
        while (state != State.DONE && in.hasRemaining() && outLength <= MAX_CHUNK - 2) {
            step(in.get());
        }
        if (outLength > 0) {
            ByteBuffer chunk = ByteBuffer.wrap(Arrays.copyOf(out, outLength));
            outLength = 0;
            return new Decoded.Chunk(chunk);
        }
        return state == State.DONE ? Decoded.END : Decoded.NEED_MORE;
    }

    /** Content octets received so far, after unstuffing, including those not returned because of the limit. */
    public long size() {
        return size;
    }

    /** Whether the content is larger than the limit; no chunk is returned any more once this is true. */
    public boolean exceeded() {
        return size > maxMessageSize;
    }

    /**
     * Whether the content held a CR not followed by LF or an LF not preceded by CR. RFC 5321 §2.3.8 forbids them;
     * the session may reject the message or note it (smuggling attempts use them).
     */
    public boolean sawBareLineFeedOrCarriageReturn() {
        return bareLineFeedOrCarriageReturn;
    }

    /** Whether the content held a NUL octet (never valid in a message, RFC 5322 §3.5 / RFC 6152 §3). */
    public boolean sawNul() {
        return nul;
    }

    /** Whether the terminator was consumed. */
    public boolean ended() {
        return state == State.DONE;
    }

    private void step(byte b) {
        switch (state) {
            case LINE_START -> {
                if (b == '.') {
                    state = State.DOT;
                } else {
                    text(b);
                }
            }
            case TEXT -> text(b);
            case CR -> {
                if (b == '\n') {
                    // RFC 5321 §2.3.8: only CRLF ends a line, so only here does a new line start.
                    emit(b);
                    state = State.LINE_START;
                } else {
                    bareLineFeedOrCarriageReturn = true;
                    text(b);
                }
            }
            case DOT -> {
                if (b == '\r') {
                    state = State.DOT_CR;
                } else {
                    // RFC 5321 §4.5.2 transparency: the line has other characters, drop the first dot.
                    text(b);
                }
            }
            case DOT_CR -> {
                if (b == '\n') {
                    // RFC 5321 §4.1.1.4: <CRLF>.<CRLF> ends the mail data.
                    state = State.DONE;
                } else {
                    // <CRLF>.<CR>x is content: the stuffed dot goes, the bare CR stays.
                    bareLineFeedOrCarriageReturn = true;
                    emit((byte) '\r');
                    text(b);
                }
            }
            case DONE -> throw new IllegalStateException("content already ended");
        }
    }

    private void text(byte b) {
        if (b == '\r') {
            state = State.CR;
        } else {
            if (b == '\n') {
                // An LF not preceded by CR: content, and not a line start (no unstuffing, no terminator after it).
                bareLineFeedOrCarriageReturn = true;
            }
            state = State.TEXT;
        }
        emit(b);
    }

    private void emit(byte b) {
        size++;
        if (b == 0) {
            nul = true;
        }
        if (size > maxMessageSize) {
            // Over the limit: drop what is pending and hand over nothing more (RFC 5321 §4.5.3.1.10, reply 552).
            outLength = 0;
            return;
        }
        if (outLength == out.length) {
            out = Arrays.copyOf(out, Math.min(MAX_CHUNK, out.length * 2));
        }
        out[outLength++] = b;
    }
}
