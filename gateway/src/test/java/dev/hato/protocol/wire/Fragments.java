package dev.hato.protocol.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The ways codec tests feed an input (STYLE §7): whole, split in two at every byte offset, and one byte at a time.
 * Each way is a fresh list of fresh buffers, so a decoder may consume them.
 */
public final class Fragments {

    /** One way of cutting the input, named for assertion messages. */
    public record Split(String name, List<byte[]> pieces) {

        /** Fresh buffers over the pieces, in order. */
        public List<ByteBuffer> buffers() {
            List<ByteBuffer> buffers = new ArrayList<>(pieces.size());
            for (byte[] piece : pieces) {
                buffers.add(ByteBuffer.wrap(piece.clone()));
            }
            return buffers;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private Fragments() {
    }

    /** Whole, split at every offset 1..n-1, and one byte at a time. */
    public static List<Split> of(byte[] input) {
        return sampled(input, 1);
    }

    /** Whole, split at every {@code step}-th offset (and at n-1), and one byte at a time: for large inputs. */
    public static List<Split> sampled(byte[] input, int step) {
        List<Split> splits = new ArrayList<>();
        splits.add(new Split("whole", List.of(input.clone())));
        for (int at = 1; at < input.length; at = nextOffset(at, step, input.length)) {
            splits.add(new Split("split at " + at,
                    List.of(Arrays.copyOfRange(input, 0, at), Arrays.copyOfRange(input, at, input.length))));
        }
        List<byte[]> bytes = new ArrayList<>(input.length);
        for (byte b : input) {
            bytes.add(new byte[] {b});
        }
        splits.add(new Split("one byte at a time", bytes));
        return splits;
    }

    private static int nextOffset(int at, int step, int length) {
        int next = at + step;
        return next >= length && at < length - 1 ? length - 1 : next;
    }

    /** The octets of {@code text}, each char taken as one octet (ISO-8859-1): for protocol bytes in tests. */
    public static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Renders octets readably for assertion messages: CR, LF and NUL escaped. */
    public static String show(byte[] octets) {
        return new String(octets, StandardCharsets.ISO_8859_1)
                .replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
    }
}
