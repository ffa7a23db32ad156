package dev.hato.auth.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.hato.auth.AuthIds;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Counts failed logins per auth ID and per client address, in memory, and decides what a new attempt gets: a
 * password check (and, should it fail, a delay before the answer) or a refusal without any check while a lockout
 * lasts.
 *
 * <p>An auth ID is counted as typed, normalised ({@link AuthIds#normalize}), whether or not an account has it: the
 * answers, their timing and the lockout are the same for an auth ID that exists and one that does not. Client
 * addresses are counted per IPv4 address and per IPv6 /64 (one host can have a whole /64 to rotate through).
 *
 * <p>An attempt counts as a failure from the moment it is {@linkplain #begin admitted}, not when its answer
 * arrives, so that parallel connections cannot check more than {@link Limits#lockoutFailures()} passwords of one
 * auth ID in a window. The count is taken back when the credential source could not answer (an outage must not
 * lock people out), and on success: the auth ID's failures are forgotten, the client's count drops by one.
 *
 * <p>Counts live in two bounded Caffeine caches; an entry expires once its window and any lockout are over. Under a
 * flood of distinct auth IDs the least useful entries are evicted first; the per-client count still holds then.
 * Thread-safe; one per server, shared by every protocol.
 */
public final class LoginThrottle {

    private final Settings settings;
    private final Scheduler timer;
    private final Cache<String, Failures> byAuthId;
    private final Cache<String, Failures> byClient;

    /**
     * @param timer runs the delays; its clock ({@link Scheduler#now}) measures windows and lockouts. Reactor's
     *              parallel scheduler in the server, a {@code VirtualTimeScheduler} in tests.
     */
    public LoginThrottle(Settings settings, Scheduler timer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.byAuthId = cache(settings);
        this.byClient = cache(settings);
    }

    /**
     * How much the throttle tolerates.
     *
     * @param perAuthId  failures of one auth ID (default: 3 free, locked at the 10th)
     * @param perClient  failures from one client address, at least as many as per auth ID since many people may
     *                   share an address (default: 20 free, locked at the 100th)
     * @param firstDelay the delay after the first failure beyond the free ones (default 1 s); it doubles with each
     *                   further failure
     * @param maxDelay   the longest delay (default 15 s; at most 60 s, clients time out)
     * @param window     failures count within this time from the first one (default 15 min)
     * @param lockout    how long a lockout lasts (default 15 min)
     * @param maxTracked most auth IDs, and most client addresses, remembered at once (default 100,000 each)
     */
    public record Settings(Limits perAuthId, Limits perClient, Duration firstDelay, Duration maxDelay,
                           Duration window, Duration lockout, int maxTracked) {

        private static final Duration MAX_DELAY = Duration.ofSeconds(60);
        private static final Duration MAX_PERIOD = Duration.ofDays(1);

        public Settings {
            Objects.requireNonNull(perAuthId, "perAuthId");
            Objects.requireNonNull(perClient, "perClient");
            Objects.requireNonNull(firstDelay, "firstDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(lockout, "lockout");
            if (perClient.freeFailures() < perAuthId.freeFailures()
                    || perClient.lockoutFailures() < perAuthId.lockoutFailures()) {
                throw new IllegalArgumentException("the per-client limits must be at least the per-auth-ID limits ("
                        + perAuthId + "), not " + perClient);
            }
            if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0 || maxDelay.compareTo(MAX_DELAY) > 0) {
                throw new IllegalArgumentException("delays must satisfy 0 <= firstDelay <= maxDelay <= " + MAX_DELAY
                        + ", not " + firstDelay + " and " + maxDelay);
            }
            if (!positiveUpTo(window, MAX_PERIOD) || !positiveUpTo(lockout, MAX_PERIOD)) {
                throw new IllegalArgumentException("window and lockout must be positive and at most " + MAX_PERIOD
                        + ", not " + window + " and " + lockout);
            }
            if (maxTracked < 100) {
                throw new IllegalArgumentException("maxTracked must be at least 100, not " + maxTracked);
            }
        }

        public static Settings defaults() {
            return new Settings(new Limits(3, 10), new Limits(20, 100), Duration.ofSeconds(1), Duration.ofSeconds(15),
                    Duration.ofMinutes(15), Duration.ofMinutes(15), 100_000);
        }

        public Settings withPerAuthId(Limits limits) {
            return new Settings(limits, perClient, firstDelay, maxDelay, window, lockout, maxTracked);
        }

        public Settings withPerClient(Limits limits) {
            return new Settings(perAuthId, limits, firstDelay, maxDelay, window, lockout, maxTracked);
        }

        public Settings withDelays(Duration first, Duration max) {
            return new Settings(perAuthId, perClient, first, max, window, lockout, maxTracked);
        }

        public Settings withWindow(Duration window) {
            return new Settings(perAuthId, perClient, firstDelay, maxDelay, window, lockout, maxTracked);
        }

        public Settings withLockout(Duration lockout) {
            return new Settings(perAuthId, perClient, firstDelay, maxDelay, window, lockout, maxTracked);
        }

        public Settings withMaxTracked(int maxTracked) {
            return new Settings(perAuthId, perClient, firstDelay, maxDelay, window, lockout, maxTracked);
        }

        private static boolean positiveUpTo(Duration value, Duration max) {
            return !value.isNegative() && !value.isZero() && value.compareTo(max) <= 0;
        }
    }

    /**
     * @param freeFailures    failures answered without delay
     * @param lockoutFailures the failure that starts a lockout (it is still answered; the next attempts are not)
     */
    public record Limits(int freeFailures, int lockoutFailures) {
        public Limits {
            if (freeFailures < 0 || lockoutFailures < 1 || lockoutFailures <= freeFailures) {
                throw new IllegalArgumentException("limits must satisfy 0 <= freeFailures < lockoutFailures, not "
                        + freeFailures + " and " + lockoutFailures);
            }
        }
    }

    /** What {@link #begin} decided. */
    public sealed interface Attempt permits Admitted, Refused { }

    /** Too many failures: answer without checking the password. */
    public record Refused(Scope scope) implements Attempt { }

    /** Which count caused a refusal; the client is told the same either way. */
    public enum Scope { AUTH_ID, CLIENT }

    /**
     * The password may be checked. Exactly one of {@link #failed}, {@link #succeeded} and {@link #unanswered}
     * settles it; an attempt never settled (the client went away) stays counted as a failure.
     */
    public final class Admitted implements Attempt {
        private final String authIdKey;
        private final String clientKey;
        private final Duration delay;

        private Admitted(String authIdKey, String clientKey, Duration delay) {
            this.authIdKey = authIdKey;
            this.clientKey = clientKey;
            this.delay = delay;
        }

        /** Wrong auth ID or password: the delay to wait before answering (zero for the first few failures). */
        public Duration failed() {
            return delay;
        }

        /** Right password: the auth ID's failures are forgotten, the client's count drops by one. */
        public void succeeded() {
            byAuthId.invalidate(authIdKey);
            release(byClient, clientKey, 2, settings.perClient());
        }

        /** The credential source could not answer: this attempt does not count. */
        public void unanswered() {
            release(byAuthId, authIdKey, 1, settings.perAuthId());
            release(byClient, clientKey, 1, settings.perClient());
        }
    }

    /**
     * Admits an attempt (counting it as a failure until it is settled otherwise) or refuses it while the auth ID or
     * the client address is locked out.
     */
    public Attempt begin(String login, String clientIp) {
        String authIdKey = authIdKey(login);
        String clientKey = clientKey(clientIp);
        long now = nanos();
        Counted forAuthId = reserve(byAuthId, authIdKey, settings.perAuthId(), now);
        if (forAuthId.refused()) {
            return new Refused(Scope.AUTH_ID);
        }
        Counted forClient = reserve(byClient, clientKey, settings.perClient(), now);
        if (forClient.refused()) {
            release(byAuthId, authIdKey, 1, settings.perAuthId());
            return new Refused(Scope.CLIENT);
        }
        Duration delay = max(delay(forAuthId.count(), settings.perAuthId()),
                delay(forClient.count(), settings.perClient()));
        return new Admitted(authIdKey, clientKey, delay);
    }

    /** How long a refused attempt waits for its answer: as long as the longest delay, so refusals are no faster. */
    public Duration refusalDelay() {
        return settings.maxDelay();
    }

    /** Completes after {@code delay} on the throttle's timer; at once for zero. */
    public Mono<Void> pause(Duration delay) {
        return delay.isZero() ? Mono.empty() : Mono.delay(delay, timer).then();
    }

    /** The throttle's clock, for the time of an attempt. */
    public Instant now() {
        return Instant.ofEpochMilli(timer.now(TimeUnit.MILLISECONDS));
    }

    public Settings settings() {
        return settings;
    }

    /** Failures counted for this login now (0 when none, or when they expired); for tests and diagnostics. */
    public int failures(String login) {
        return count(byAuthId, authIdKey(login));
    }

    /** Failures counted for this client address now; for tests and diagnostics. */
    public int clientFailures(String clientIp) {
        return count(byClient, clientKey(clientIp));
    }

    private int count(Cache<String, Failures> cache, String key) {
        Failures failures = cache.getIfPresent(key);
        return failures == null || failures.expired(nanos(), settings) ? 0 : failures.count();
    }

    private long nanos() {
        return timer.now(TimeUnit.NANOSECONDS);
    }

    private record Counted(boolean refused, int count) { }

    private Counted reserve(Cache<String, Failures> cache, String key, Limits limits, long now) {
        Counted[] result = new Counted[1];
        cache.asMap().compute(key, (k, old) -> {
            if (old != null && old.lockedAt(now)) {
                result[0] = new Counted(true, old.count());
                return old;
            }
            Failures next = old == null || old.expired(now, settings)
                    ? new Failures(1, now, 0)
                    : new Failures(old.count() + 1, old.windowStart(), 0);
            if (next.count() >= limits.lockoutFailures()) {
                next = new Failures(next.count(), next.windowStart(), now + settings.lockout().toNanos());
            }
            result[0] = new Counted(false, next.count());
            return next;
        });
        return result[0];
    }

    /** Takes back {@code n} counted failures; a lockout stands only while the count still reaches the limit. */
    private void release(Cache<String, Failures> cache, String key, int n, Limits limits) {
        cache.asMap().computeIfPresent(key, (k, old) -> {
            int count = old.count() - n;
            if (count <= 0) {
                return null;
            }
            return new Failures(count, old.windowStart(), count >= limits.lockoutFailures() ? old.lockedUntil() : 0);
        });
    }

    private Duration delay(int failures, Limits limits) {
        int beyond = failures - limits.freeFailures();
        if (beyond <= 0) {
            return Duration.ZERO;
        }
        // 1, 2, 4, 8 ... times the first delay; past 2^20 the cap has long been reached.
        Duration delay = settings.firstDelay().multipliedBy(1L << Math.min(beyond - 1, 20));
        return delay.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : delay;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /**
     * @param windowStart when the first failure of the window was counted (timer nanos)
     * @param lockedUntil end of the lockout (timer nanos), or 0
     */
    private record Failures(int count, long windowStart, long lockedUntil) {
        boolean lockedAt(long now) {
            return lockedUntil != 0 && now - lockedUntil < 0;
        }

        boolean expired(long now, Settings settings) {
            return !lockedAt(now) && now - windowStart >= settings.window().toNanos();
        }

        long expiresAt(Settings settings) {
            long windowEnd = windowStart + settings.window().toNanos();
            return lockedUntil != 0 && lockedUntil - windowEnd > 0 ? lockedUntil : windowEnd;
        }
    }

    private Cache<String, Failures> cache(Settings settings) {
        return Caffeine.newBuilder()
                .maximumSize(settings.maxTracked())
                .ticker(this::nanos)
                .expireAfter(new Expiry<String, Failures>() {
                    @Override
                    public long expireAfterCreate(String key, Failures value, long currentTime) {
                        return Math.max(0, value.expiresAt(settings) - currentTime);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Failures value, long currentTime,
                                                  long currentDuration) {
                        return Math.max(0, value.expiresAt(settings) - currentTime);
                    }

                    @Override
                    public long expireAfterRead(String key, Failures value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** Logins are counted case-insensitively and at most as long as the audit log keeps them. */
    static String authIdKey(String login) {
        String key = AuthIds.normalize(login);
        return key.length() > 255 ? key.substring(0, 255) : key;
    }

    /**
     * An IPv4 address as it is; an IPv6 address reduced to its /64 (the prefix a single host is usually given),
     * written without leading zeros. Anything else (a host name, a malformed string) as it is, in lower case.
     */
    static String clientKey(String clientIp) {
        String ip = clientIp.trim().toLowerCase(Locale.ROOT);
        int scope = ip.indexOf('%');
        if (scope >= 0) {
            ip = ip.substring(0, scope);
        }
        if (ip.indexOf(':') < 0) {
            return ip;
        }
        String @Nullable [] groups = ipv6Groups(ip);
        if (groups == null) {
            return ip;
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            prefix.append(Integer.toHexString(Integer.parseInt(groups[i], 16))).append(':');
        }
        return prefix.append(":/64").toString();
    }

    /** The eight groups of a textual IPv6 address (with or without "::"), or null when it is not one. */
    private static String @Nullable [] ipv6Groups(String ip) {
        int gap = ip.indexOf("::");
        String[] head;
        String[] tail;
        if (gap >= 0) {
            if (ip.indexOf("::", gap + 1) >= 0) {
                return null;
            }
            head = split(ip.substring(0, gap));
            tail = split(ip.substring(gap + 2));
        } else {
            head = split(ip);
            tail = new String[0];
        }
        if (head.length + tail.length > (gap >= 0 ? 7 : 8) || gap < 0 && head.length != 8) {
            return null;
        }
        String[] groups = new String[8];
        for (int i = 0; i < 8; i++) {
            int fromTail = i - (8 - tail.length);
            String group = i < head.length ? head[i] : fromTail >= 0 ? tail[fromTail] : "0";
            if (!group.matches("[0-9a-f]{1,4}")) {
                return null; // also an embedded IPv4 tail (::ffff:192.0.2.1): counted as written
            }
            groups[i] = group;
        }
        return groups;
    }

    private static String[] split(String part) {
        return part.isEmpty() ? new String[0] : part.split(":", -1);
    }
}
