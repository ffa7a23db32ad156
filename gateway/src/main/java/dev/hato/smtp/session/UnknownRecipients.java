package dev.hato.smtp.session;

import com.github.benmanes.caffeine.cache.Cache;
import dev.hato.protocol.ClientCounts;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Bounds directory harvesting: a client that sends RCPT after RCPT to made-up users, to learn from the answers which
 * addresses exist. As Postfix does with {@code smtpd_soft_error_limit}, {@code smtpd_error_sleep_time} and
 * {@code smtpd_hard_error_limit}, the first few unknown recipients of a connection are answered at once, later ones
 * after a growing delay, and past a limit the client gets {@code 421 4.7.0} and is disconnected (RFC 5321 §3.8: a
 * server may answer any command with 421 and close). A second limit counts the unknown recipients of one client
 * address across its connections within a window, so reconnecting does not start over; IPv6 clients are counted per
 * /64, the prefix one host usually has to rotate through.
 *
 * <p>The counts live in one bounded Caffeine cache, an entry expiring when its window is over; the delays run on
 * the given timer ({@link Mono#delay}), never as a sleep on an event loop. Thread-safe; one per server.
 */
public final class UnknownRecipients {

    private final Settings settings;
    private final Scheduler timer;
    private final Cache<String, Count> byClient;

    /**
     * How much is tolerated.
     *
     * @param perConnection unknown recipients answered 550 in one connection; the next gets 421 (default 20, as
     *                      Postfix's smtpd_hard_error_limit)
     * @param perClient     unknown recipients from one client address within {@code window}, over all its
     *                      connections; the next gets 421 (default 100)
     * @param window        how long the per-client count runs from its first unknown recipient (default 1 h)
     * @param free          unknown recipients of a connection answered without delay (default 3)
     * @param delay         the delay of the first answer after the free ones; each further one waits this much
     *                      longer (default 1 s)
     * @param maxDelay      the longest delay (default 10 s; at most 60 s, so clients do not time out)
     * @param maxTracked    most client addresses remembered at once (default 100,000)
     */
    public record Settings(int perConnection, int perClient, Duration window, int free, Duration delay,
                           Duration maxDelay, int maxTracked) {

        private static final Duration LONGEST_DELAY = Duration.ofSeconds(60);

        public Settings {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            if (perConnection < 1 || perClient < perConnection || free < 0 || maxTracked < 100) {
                throw new IllegalArgumentException("unknown-recipient limits must satisfy 1 <= per-connection <= "
                        + "per-client, free >= 0, max-tracked >= 100; not " + perConnection + ", " + perClient
                        + ", " + free + ", " + maxTracked);
            }
            if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("the unknown-recipient window must be positive and at most 1d, not "
                        + window);
            }
            if (delay.isNegative() || maxDelay.compareTo(delay) < 0 || maxDelay.compareTo(LONGEST_DELAY) > 0) {
                throw new IllegalArgumentException("unknown-recipient delays must satisfy 0 <= delay <= max-delay <= "
                        + LONGEST_DELAY + ", not " + delay + " and " + maxDelay);
            }
        }

        public static Settings defaults() {
            return new Settings(20, 100, Duration.ofHours(1), 3, Duration.ofSeconds(1), Duration.ofSeconds(10),
                    100_000);
        }
    }

    /** What an unknown recipient gets: its 550 after {@code delay}, or, when {@code close}, 421 and the end. */
    public record Verdict(boolean close, Duration delay) { }

    /**
     * @param timer runs the delays and measures the window ({@link Scheduler#now}): Reactor's parallel scheduler in
     *              the server, a virtual-time scheduler in tests
     */
    public UnknownRecipients(Settings settings, Scheduler timer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timer = Objects.requireNonNull(timer, "timer");
        long window = settings.window().toNanos();
        this.byClient = ClientCounts.cache(settings.maxTracked(), this::nanos,
                (Count count) -> count.windowStart() + window);
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Counts one unknown recipient from {@code clientIp}, the {@code inConnection}-th of its connection, and says
     * how to answer it.
     */
    public Verdict unknown(String clientIp, int inConnection) {
        long now = nanos();
        long window = settings.window().toNanos();
        Count count = byClient.asMap().compute(clientKey(clientIp), (key, old) ->
                old == null || now - old.windowStart() >= window ? new Count(1, now)
                        : new Count(old.count() + 1, old.windowStart()));
        if (inConnection > settings.perConnection() || count.count() > settings.perClient()) {
            return new Verdict(true, Duration.ZERO);
        }
        int beyond = inConnection - settings.free();
        if (beyond <= 0) {
            return new Verdict(false, Duration.ZERO);
        }
        Duration delay = settings.delay().multipliedBy(beyond);
        return new Verdict(false, delay.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : delay);
    }

    /** Unknown recipients counted for this client address now (0 once its window is over); for tests. */
    public int count(String clientIp) {
        Count count = byClient.getIfPresent(clientKey(clientIp));
        return count == null || nanos() - count.windowStart() >= settings.window().toNanos() ? 0 : count.count();
    }

    /** Completes after {@code delay} on the timer; at once for zero. */
    public Mono<Void> pause(Duration delay) {
        return delay.isZero() ? Mono.empty() : Mono.delay(delay, timer).then();
    }

    private long nanos() {
        return timer.now(TimeUnit.NANOSECONDS);
    }

    static String clientKey(String clientIp) {
        return ClientCounts.key(clientIp);
    }

    private record Count(int count, long windowStart) { }
}
