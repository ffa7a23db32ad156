package dev.hato.imap.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * What {@link ImapFramer#next(ByteBuffer)} returns. Short input is a value ({@link NeedMore}), never an exception,
 * and so is a breached limit ({@link Failure}), which the session turns into {@code tag BAD}.
 *
 * <p>A command line holding literals arrives as {@link LiteralStart}, {@link LiteralChunk}s, {@link LiteralEnd} for
 * each literal, in order, and finally one {@link Frame} with the whole line text, in which every literal is still
 * represented by its announcement ({@code {n}} or {@code {n+}}). The shared {@code dev.hato.protocol.wire.Decoded}
 * has no notion of a literal inside a line, so IMAP has its own type.
 */
public sealed interface ImapDecoded permits ImapDecoded.NeedMore, ImapDecoded.Frame, ImapDecoded.LiteralStart,
        ImapDecoded.LiteralChunk, ImapDecoded.LiteralEnd, ImapDecoded.Failure {

    /** The one {@link NeedMore} value. */
    NeedMore NEED_MORE = new NeedMore();

    /** The one {@link LiteralEnd} value. */
    LiteralEnd LITERAL_END = new LiteralEnd();

    /** Everything useful in the input buffer was consumed; nothing more is complete. */
    record NeedMore() implements ImapDecoded {
    }

    /**
     * One complete command line without its final CRLF. Literal contents are not in it: each literal is left as its
     * announcement, and its octets were handed out before as chunks. The array is handed over to the receiver.
     */
    record Frame(byte[] line) implements ImapDecoded {

        /** The line as UTF-8 (RFC 9051 allows UTF-8 in quoted strings; malformed input becomes U+FFFD). */
        public String text() {
            return new String(line, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Frame frame && Arrays.equals(line, frame.line);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(line);
        }

        @Override
        public String toString() {
            return "Frame[" + text() + "]";
        }
    }

    /**
     * A literal was announced and accepted (RFC 3501 §4.3). For a synchronizing one the session must answer
     * {@code + go ahead} (RFC 3501 §7.5) before the client sends the octets; for {@code {n+}} (RFC 7888) they are
     * already on their way.
     *
     * @param size the announced number of octets
     * @param synchronizing {@code {n}} rather than {@code {n+}}
     * @param prefix the command line so far, including the announcement, so the session can decide from the tag and
     *     command name whether to stream the literal (APPEND) or keep it (a LOGIN password)
     */
    record LiteralStart(long size, boolean synchronizing, String prefix) implements ImapDecoded {
        public LiteralStart {
            if (size < 0) {
                throw new IllegalArgumentException("negative literal size: " + size);
            }
        }
    }

    /** A piece of literal content, at most the framer's chunk size. The buffer wraps a fresh copy. */
    record LiteralChunk(ByteBuffer bytes) implements ImapDecoded {
    }

    /** All announced octets of the current literal were handed out; the command line continues. */
    record LiteralEnd() implements ImapDecoded {
    }

    /**
     * A breached limit or a framing error, reported once per command. The framer has dropped (or will drop as they
     * arrive) the rest of the command, including the octets of any non-synchronizing literal in it.
     *
     * @param tag the command's tag when the line began with one, for {@code tag BAD}; else {@code null} ({@code * BAD})
     */
    record Failure(Kind kind, @Nullable String tag, String detail) implements ImapDecoded {

        public enum Kind {
            /** The line text (literal contents excluded) is longer than the limit. */
            LINE_TOO_LONG,
            /** A literal is larger than the current limit (which is smaller before login). */
            LITERAL_TOO_LARGE,
            /** A line ends in something like a literal announcement that is not one: {@code {}}, {@code {+}}, ... */
            MALFORMED_LITERAL
        }
    }
}
