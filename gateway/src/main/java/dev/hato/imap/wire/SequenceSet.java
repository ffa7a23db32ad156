package dev.hato.imap.wire;

import java.util.List;

/**
 * RFC 3501 §9 sequence-set, kept as sent: ranges in their order, {@code *} as {@link #STAR}, and RFC 5182 {@code $}
 * (the saved search result) as {@link #saved()}.
 */
public record SequenceSet(boolean saved, List<Range> ranges) {

    /** {@code *}: the largest number in use. 0 is never a valid seq-number or UID (nz-number), so it is free. */
    public static final long STAR = 0;

    public SequenceSet {
        ranges = List.copyOf(ranges);
        if (saved != ranges.isEmpty()) {
            throw new IllegalArgumentException("a sequence set is either $ or a non-empty list of ranges");
        }
    }

    /** The saved search result, {@code $} (RFC 5182 §2.1). */
    public static SequenceSet savedResult() {
        return new SequenceSet(true, List.of());
    }

    public static SequenceSet of(Range... ranges) {
        return new SequenceSet(false, List.of(ranges));
    }

    /**
     * {@code from:to} as sent ({@code 4:2} equals {@code 2:4} in meaning, RFC 3501 §9); a single number has
     * {@code from == to}.
     */
    public record Range(long from, long to) {
        public Range {
            if (from < 0 || to < 0 || from > 0xFFFF_FFFFL || to > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("sequence number out of range: " + from + ":" + to);
            }
        }

        public static Range single(long number) {
            return new Range(number, number);
        }
    }
}
