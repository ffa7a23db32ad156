package dev.hato.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * What a push decoder returns from one {@code next(ByteBuffer)} call. Short input is a value ({@link NeedMore}),
 * never an exception, and so is a breached limit ({@link Failure}), which the session turns into a reply.
 */
public sealed interface Decoded permits Decoded.NeedMore, Decoded.Line, Decoded.Chunk, Decoded.End, Decoded.Failure {

    /** The one {@link NeedMore} value; decoders return it rather than allocating. */
    NeedMore NEED_MORE = new NeedMore();

    /** The one {@link End} value. */
    End END = new End();

    /** The input buffer holds nothing more that completes a frame; everything useful in it was consumed. */
    record NeedMore() implements Decoded {
    }

    /**
     * One command line without its line ending. The array is handed over to the receiver: the decoder keeps no
     * reference to it.
     */
    record Line(byte[] bytes) implements Decoded {

        /** The line decoded as UTF-8 (malformed input becomes U+FFFD; the grammar rejects it where it matters). */
        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Line line && Arrays.equals(bytes, line.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Line[" + text() + "]";
        }
    }

    /**
     * A piece of message content. The buffer wraps a fresh copy, so it is safe to keep after the next call to the
     * decoder.
     */
    record Chunk(ByteBuffer bytes) implements Decoded {
    }

    /** The end of message content; bytes after the terminator stay in the input buffer. */
    record End() implements Decoded {
    }

    /** A breached limit or a framing error. The connection stays usable unless the session decides otherwise. */
    record Failure(Kind kind, String detail) implements Decoded {

        public enum Kind {
            /** A line longer than the configured limit; its bytes were discarded up to and including its LF. */
            LINE_TOO_LONG
        }
    }
}
