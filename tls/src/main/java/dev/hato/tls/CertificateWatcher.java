package dev.hato.tls;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the configured certificate files every {@code interval} on a thread of its own (never a Netty event loop)
 * and lets {@link ServerTls#poll()} serve what changed. Polling rather than a {@code WatchService}: a watch on the
 * directory misses a symbolic link switched elsewhere (certbot's {@code live/} links point into {@code archive/}),
 * and reading a few kilobytes every few seconds costs nothing next to one handshake.
 */
public final class CertificateWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);

    private final ScheduledExecutorService executor;

    private CertificateWatcher(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** Starts checking {@code tls}'s files every {@code interval} (a positive duration). */
    public static CertificateWatcher start(ServerTls tls, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("the certificate check interval must be positive, not " + interval);
        }
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "hato-tls-watch");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        executor.scheduleWithFixedDelay(() -> {
            try {
                tls.poll();
            } catch (RuntimeException e) {
                // A scheduled task that throws is never run again: log, and check again next time.
                LOG.warn("TLS certificate check failed: {}", PemMaterial.oneLine(e), e);
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        return new CertificateWatcher(executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
