package dev.hato.app;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jspecify.annotations.Nullable;

/**
 * The progress of {@code hato migrate} on standard error: a bar of the people done, with the messages stored so
 * far, on a terminal; otherwise a line at most every two seconds and one at the end. Called from the copying
 * threads.
 */
final class MigrationProgress implements AutoCloseable {
    private static final long PLAIN_INTERVAL_NANOS = 2_000_000_000L;

    private final PrintWriter err;
    private final int people;
    private final AtomicInteger done = new AtomicInteger();
    private final AtomicLong messages = new AtomicLong();
    private final @Nullable ProgressBar bar;
    private long lastLine = System.nanoTime();

    MigrationProgress(PrintWriter err, int people, boolean terminal) {
        this.err = err;
        this.people = people;
        this.bar = terminal ? new ProgressBarBuilder().setTaskName("migrate").setInitialMax(people).setUnit(" people", 1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                .setConsumer(new TerminalLine(err)).build() : null;
    }

    /** Messages stored in Hato by one batch of a copy. */
    void stored(int count) {
        long total = messages.addAndGet(count);
        if (bar != null) {
            bar.setExtraMessage(" " + total + " messages");
        } else {
            line(false);
        }
    }

    /** One person is done (whatever the outcome). */
    void personDone() {
        done.incrementAndGet();
        if (bar != null) {
            bar.step();
        } else {
            line(false);
        }
    }

    private synchronized void line(boolean last) {
        if (last || System.nanoTime() - lastLine >= PLAIN_INTERVAL_NANOS) {
            err.printf(Locale.ROOT, "migrate: %d/%d people done, %d messages stored%n", done.get(), people,
                    messages.get());
            err.flush();
            lastLine = System.nanoTime();
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        } else {
            line(true);
        }
    }
}
