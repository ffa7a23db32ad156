package dev.hato.migration;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * Reads at most {@code bytesPerSecond} on average since the stream was opened, sleeping the reading thread when it
 * is ahead: what the copier's connection to an old server takes from it (issue 17: throttled per legacy server).
 * Blocking: for the command line's threads, never an event loop.
 */
final class ThrottledInput extends FilterInputStream {

    private final long bytesPerSecond;
    private final long started = System.nanoTime();
    private long total;

    ThrottledInput(InputStream in, long bytesPerSecond) {
        super(in);
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("a rate is at least one byte per second");
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            pace(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        // at most a tenth of a second's worth at once, so the pace stays even
        int n = super.read(buffer, offset, (int) Math.min(length, Math.max(1, bytesPerSecond / 10)));
        if (n > 0) {
            pace(n);
        }
        return n;
    }

    private void pace(int read) throws IOException {
        total += read;
        long dueNanos = (long) (total * 1e9 / bytesPerSecond);
        long aheadNanos = dueNanos - (System.nanoTime() - started);
        if (aheadNanos > 1_000_000) {
            try {
                Thread.sleep(aheadNanos / 1_000_000, (int) (aheadNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while throttled");
            }
        }
    }
}
