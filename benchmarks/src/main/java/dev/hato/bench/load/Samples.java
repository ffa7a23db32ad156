package dev.hato.bench.load;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds, added from any thread, summarised by nearest-rank percentiles (the smallest value
 * with at least p % of the samples at or below it, as {@code SmtpLatency} reports them). Bounded: past
 * {@code capacity} samples further ones are counted but not kept, so a long run cannot exhaust the heap.
 */
final class Samples {

    private final int capacity;
    private long[] values = new long[1024];
    private int kept;
    private long count;

    Samples(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
    }

    synchronized void add(long nanos) {
        count++;
        if (kept == capacity) {
            return;
        }
        if (kept == values.length) {
            values = Arrays.copyOf(values, Math.min(capacity, values.length * 2));
        }
        values[kept++] = nanos;
    }

    synchronized long count() {
        return count;
    }

    /** The sorted kept samples; empty when none. */
    synchronized long[] sorted() {
        long[] copy = Arrays.copyOf(values, kept);
        Arrays.sort(copy);
        return copy;
    }

    static double percentileMillis(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)] / 1e6;
    }
}
