package dev.hato.auth.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hato.auth.AuthIds;
import dev.hato.protocol.ClientCounts;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Counts failed logins and decides what a new attempt gets: a password check (perhaps after waiting for its turn,
 * and, should it fail, after a delay before the answer) or a refusal without any check.
 *
 * <p>Three counts, because the one who fails is not the one who owns the auth ID:
 * <ul>
 *   <li><b>An auth ID from one client address</b> (the failing source): 3 failures free, then a delay of 1, 2, 4, 8,
 *       15 s before each failure is answered; the 10th locks <em>that address</em> out of <em>that auth ID</em> for
 *       15 minutes. Someone who knows another person's auth ID can lock only themselves out: the owner, from any
 *       other address or from one the owner logged in from (see below), is not refused.</li>
 *   <li><b>A client address</b> over all auth IDs: 20 free, locked at the 100th (a spray over many auth IDs).</li>
 *   <li><b>An auth ID</b> over all addresses: never a lockout, only a pace. After 10 failures, the password checks of
 *       that auth ID take turns at least 1, 2, 4, … up to 60 s apart; an attempt waits for its turn before its
 *       password is checked (whatever the outcome, so an early success cannot be told from a late failure by a client
 *       that gives up waiting), and when the next free turn is more than 60 s away (clients time out) it is answered
 *       with the temporary refusal without a check, counting nowhere. The count is forgotten only after 15 minutes
 *       without a failure, and a success does not reset it (else every login of the owner would give the guessers
 *       ten free turns). Attempts from a <em>familiar</em> address — one this auth ID logged in from successfully in
 *       the last 30 days — do not take turns, so the owner's usual places are never slowed by an attack.</li>
 * </ul>
 *
 * <p>A familiar address is never refused by the two address locks, for its own auth ID: behind one NAT, CGNAT or IPv6
 * /64 the owner and a stranger are the same address, so a lock there would let the stranger lock the owner out again.
 * While either lock holds, its attempts are let through but take turns like a new address's (a failure is still
 * answered after its delay): whoever guesses from there gets what the line allows, what a botnet gets, not a free run.
 * This holds for the per-client lock too, since 100 failures over any auth IDs from a shared address would otherwise
 * lock out everyone behind it; it is relaxed only for the auth IDs that logged in from that address, each still bounded
 * by its own line, and the lock keeps refusing the address for every other auth ID. For the same reason a success does
 * not forget the auth ID's failures from its address (they may be the stranger's, and forgetting them would give the
 * stranger ten more guesses without turns after each of the owner's logins), except where addresses never become
 * familiar.
 *
 * <p>What this costs a guesser, with the defaults. One address: 10 guesses at one auth ID per 15 minutes, 100 over all
 * auth IDs; from an address the auth ID logged in from, 10 and then whatever turns the line gives. A botnet of any size
 * against one auth ID: 16 guesses in the first half-minute (10 free, then turns 1, 2, 4, 8, 16 s apart), then one a
 * minute — 60 an hour, 1,440 a day, however many addresses it has, since the pace is per auth ID and the line is
 * shared; the 10,000 most common passwords take a week. (A lockout per auth ID was reached with 40 guesses an hour, but
 * let anyone keep the owner out with ten guesses every 15 minutes.) What this costs the owner: from a familiar address,
 * nothing, unless 10 failures from that same address (someone behind the same NAT) make it take turns too; from a new
 * address while a botnet keeps the line full, a wait of up to 60 s or a "try again later" that the client retries. A
 * delay on the answer alone would not slow a botnet (it opens more connections and reads no answer it does not need),
 * which is why the turn holds the check.
 *
 * <p>An auth ID is counted as typed, normalised ({@link AuthIds#normalize}), whether or not an account has it: the
 * answers, their timing and the refusals are the same for an auth ID that exists and one that does not (only a
 * successful login makes an address familiar). Client addresses are counted per IPv4 address and per IPv6 /64 (one
 * host can have a whole /64 to rotate through).
 *
 * <p>An attempt counts as a failure from the moment it is {@linkplain #begin admitted}, not when its answer
 * arrives, so that parallel connections cannot check more than the limits allow. The count is taken back when the
 * credential source could not answer (an outage must not lock people out), when the client went away before its turn
 * (no password was checked; the turn stays taken), and on success; in each case only this attempt's own count, so
 * that an address cannot log in to its own account between guesses to stay under the per-client limit.
 *
 * <p>Counts live in bounded Caffeine caches; an entry expires once its window and any lockout are over. Under a
 * flood of distinct auth IDs the least useful entries are evicted first; the per-client count still holds then.
 * Thread-safe; one per server, shared by every protocol.
 */
public final class LoginThrottle {

    /** The longest an attempt waits for its turn, and the longest delay: clients give up on an answer after that. */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    private final Settings settings;
    private final Scheduler timer;
    private final Cache<String, Failures> byAuthIdFromClient;
    private final Cache<String, Failures> byClient;
    private final Cache<String, Pace> byAuthId;
    private final Cache<String, Boolean> familiar;

    /**
     * @param timer runs the delays; its clock ({@link Scheduler#now}) measures windows and lockouts. Reactor's
     *              parallel scheduler in the server, a {@code VirtualTimeScheduler} in tests.
     */
    public LoginThrottle(Settings settings, Scheduler timer) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.timer = Objects.requireNonNull(timer, "timer");
        this.byAuthIdFromClient = ClientCounts.cache(settings.maxTracked(), this::nanos, (Failures f) -> f.expiresAt(settings));
        this.byClient = ClientCounts.cache(settings.maxTracked(), this::nanos, (Failures f) -> f.expiresAt(settings));
        this.byAuthId = ClientCounts.cache(settings.maxTracked(), this::nanos, (Pace p) -> p.expiresAt(settings));
        this.familiar = Caffeine.newBuilder()
                .maximumSize(settings.maxTracked())
                .ticker(this::nanos)
                .expireAfterWrite(settings.familiarFor().isZero() ? Duration.ofNanos(1) : settings.familiarFor())
                .build();
    }

    /**
     * How much the throttle tolerates.
     *
     * @param perAuthIdFromClient failures of one auth ID from one client address (default: 3 free, that address is
     *                            locked out of that auth ID at the 10th, or takes turns if familiar)
     * @param perClient           failures from one client address over all auth IDs, at least as many as per auth
     *                            ID since many people may share an address (default: 20 free, locked at the 100th)
     * @param firstDelay          the delay after the first failure beyond the free ones, and the first pace of an
     *                            auth ID (default 1 s); both double with each further failure
     * @param maxDelay            the longest delay before a failure is answered (default 15 s; at most 60 s)
     * @param window              failures count within this time from the first one (default 15 min); an auth ID's
     *                            pace count is kept until this long after its last failure
     * @param lockout             how long a lockout lasts (default 15 min)
     * @param maxTracked          most entries remembered in each count (default 100,000)
     * @param authIdFreeFailures  failures of one auth ID over all addresses before its checks take turns (default 10)
     * @param maxPace             the longest time between two turns of one auth ID (default 60 s; at most 1 h)
     * @param familiarFor         how long a successful login makes its address familiar for that auth ID, so that
     *                            its attempts skip the line (default 30 days; zero: never)
     */
    public record Settings(Limits perAuthIdFromClient, Limits perClient, Duration firstDelay, Duration maxDelay,
                           Duration window, Duration lockout, int maxTracked, int authIdFreeFailures,
                           Duration maxPace, Duration familiarFor) {

        private static final Duration MAX_PERIOD = Duration.ofDays(1);

        public Settings {
            Objects.requireNonNull(perAuthIdFromClient, "perAuthIdFromClient");
            Objects.requireNonNull(perClient, "perClient");
            Objects.requireNonNull(firstDelay, "firstDelay");
            Objects.requireNonNull(maxDelay, "maxDelay");
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(lockout, "lockout");
            Objects.requireNonNull(maxPace, "maxPace");
            Objects.requireNonNull(familiarFor, "familiarFor");
            if (perClient.freeFailures() < perAuthIdFromClient.freeFailures()
                    || perClient.lockoutFailures() < perAuthIdFromClient.lockoutFailures()) {
                throw new IllegalArgumentException("the per-client limits must be at least the per-auth-ID limits ("
                        + perAuthIdFromClient + "), not " + perClient);
            }
            if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0 || maxDelay.compareTo(MAX_WAIT) > 0) {
                throw new IllegalArgumentException("delays must satisfy 0 <= firstDelay <= maxDelay <= " + MAX_WAIT
                        + ", not " + firstDelay + " and " + maxDelay);
            }
            if (!positiveUpTo(window, MAX_PERIOD) || !positiveUpTo(lockout, MAX_PERIOD)) {
                throw new IllegalArgumentException("window and lockout must be positive and at most " + MAX_PERIOD
                        + ", not " + window + " and " + lockout);
            }
            if (maxTracked < 100) {
                throw new IllegalArgumentException("maxTracked must be at least 100, not " + maxTracked);
            }
            if (authIdFreeFailures < 0) {
                throw new IllegalArgumentException("authIdFreeFailures must not be negative");
            }
            if (maxPace.isNegative() || maxPace.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("maxPace must be between 0 and 1 h, not " + maxPace);
            }
            if (familiarFor.isNegative() || familiarFor.compareTo(Duration.ofDays(365)) > 0) {
                throw new IllegalArgumentException("familiarFor must be between 0 and 365 days, not " + familiarFor);
            }
        }

        public static Settings defaults() {
            return new Settings(new Limits(3, 10), new Limits(20, 100), Duration.ofSeconds(1), Duration.ofSeconds(15),
                    Duration.ofMinutes(15), Duration.ofMinutes(15), 100_000, 10, Duration.ofSeconds(60),
                    Duration.ofDays(30));
        }

        public Settings withPerAuthIdFromClient(Limits limits) {
            return new Settings(limits, perClient, firstDelay, maxDelay, window, lockout, maxTracked,
                    authIdFreeFailures, maxPace, familiarFor);
        }

        public Settings withPerClient(Limits limits) {
            return new Settings(perAuthIdFromClient, limits, firstDelay, maxDelay, window, lockout, maxTracked,
                    authIdFreeFailures, maxPace, familiarFor);
        }

        public Settings withDelays(Duration first, Duration max) {
            return new Settings(perAuthIdFromClient, perClient, first, max, window, lockout, maxTracked,
                    authIdFreeFailures, maxPace, familiarFor);
        }

        public Settings withWindow(Duration window) {
            return new Settings(perAuthIdFromClient, perClient, firstDelay, maxDelay, window, lockout, maxTracked,
                    authIdFreeFailures, maxPace, familiarFor);
        }

        public Settings withLockout(Duration lockout) {
            return new Settings(perAuthIdFromClient, perClient, firstDelay, maxDelay, window, lockout, maxTracked,
                    authIdFreeFailures, maxPace, familiarFor);
        }

        public Settings withMaxTracked(int maxTracked) {
            return new Settings(perAuthIdFromClient, perClient, firstDelay, maxDelay, window, lockout, maxTracked,
                    authIdFreeFailures, maxPace, familiarFor);
        }

        public Settings withPace(int freeFailures, Duration max) {
            return new Settings(perAuthIdFromClient, perClient, firstDelay, maxDelay, window, lockout, maxTracked,
                    freeFailures, max, familiarFor);
        }

        public Settings withFamiliarFor(Duration familiarFor) {
            return new Settings(perAuthIdFromClient, perClient, firstDelay, maxDelay, window, lockout, maxTracked,
                    authIdFreeFailures, maxPace, familiarFor);
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

    /** Answer without checking the password. */
    public record Refused(Scope scope) implements Attempt { }

    /** Why an attempt was refused; the client is told the same either way. */
    public enum Scope {
        /** This client address is locked out of this auth ID. */
        SOURCE,
        /** This client address is locked out of every auth ID. */
        CLIENT,
        /** The auth ID's line is full: the next free turn is further away than a client waits. */
        AUTH_ID
    }

    /**
     * The password may be checked once {@link #waitFor()} has passed. Exactly one of {@link #failed},
     * {@link #succeeded}, {@link #unanswered} and {@link #unchecked} settles it; an attempt never settled (the client
     * went away during the check or the delay after it) stays counted as a failure.
     */
    public final class Admitted implements Attempt {
        private final String authIdKey;
        private final String sourceKey;
        private final String clientKey;
        private final int sourceCounted;
        private final int clientCounted;
        private final boolean paced;
        private final long turn;
        private final Duration delay;

        private Admitted(String authIdKey, String sourceKey, String clientKey, int sourceCounted, int clientCounted,
                         boolean paced, long turn, Duration delay) {
            this.authIdKey = authIdKey;
            this.sourceKey = sourceKey;
            this.clientKey = clientKey;
            this.sourceCounted = sourceCounted;
            this.clientCounted = clientCounted;
            this.paced = paced;
            this.turn = turn;
            this.delay = delay;
        }

        /** How long from now until this attempt's turn: check nothing and answer nothing before. */
        public Duration waitFor() {
            long left = turn - nanos();
            return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
        }

        /**
         * Wrong auth ID or password: the delay to wait before answering (zero for the first few failures), counted
         * from now; the attempt's turn is never earlier.
         */
        public Duration failed() {
            Duration wait = waitFor();
            return wait.compareTo(delay) > 0 ? wait : delay;
        }

        /**
         * Right password: this attempt's own count is taken back everywhere (only its own: an address that logged
         * in to its own account between guesses at others must still reach the client limit), and the address
         * becomes familiar for the auth ID. The earlier failures of the auth ID from this address are kept, since on
         * a shared address they may be someone else's; being familiar, the address is no longer refused for them.
         * Only where addresses never become familiar ({@code familiarFor} zero) are they forgotten, as the owner's
         * own typing errors would otherwise lock the owner out.
         */
        public void succeeded() {
            if (settings.familiarFor().isZero()) {
                byAuthIdFromClient.invalidate(sourceKey);
            } else {
                release(byAuthIdFromClient, sourceKey, sourceCounted, settings.perAuthIdFromClient());
                familiar.put(sourceKey, Boolean.TRUE);
            }
            release(byClient, clientKey, clientCounted, settings.perClient());
            if (paced) {
                releasePace(authIdKey);
            }
        }

        /** The credential source could not answer: this attempt does not count. */
        public void unanswered() {
            takeBack();
        }

        /**
         * The attempt ended before its password was checked (the client went away or timed out while waiting for
         * its turn): it does not count, or an owner who keeps retrying from a new address during an attack would
         * lock that address out with failures that never were. Its turn stays taken: turns after it may already be
         * given out, and a turn given up cost the credential source nothing.
         */
        public void unchecked() {
            takeBack();
        }

        private void takeBack() {
            release(byAuthIdFromClient, sourceKey, sourceCounted, settings.perAuthIdFromClient());
            release(byClient, clientKey, clientCounted, settings.perClient());
            if (paced) {
                releasePace(authIdKey);
            }
        }
    }

    /**
     * Admits an attempt (counting it as a failure until it is settled otherwise, and giving it a turn) or refuses it
     * while the client address is locked out of the auth ID or of everything (unless the address is familiar for
     * the auth ID: then it takes turns), or while the auth ID's line is full.
     */
    public Attempt begin(String login, String clientIp) {
        String authIdKey = authIdKey(login);
        String clientKey = clientKey(clientIp);
        String sourceKey = authIdKey + '\0' + clientKey;
        long now = nanos();
        boolean isFamiliar = familiar.getIfPresent(sourceKey) != null;
        Counted forSource = reserve(byAuthIdFromClient, sourceKey, settings.perAuthIdFromClient(), now);
        if (forSource.locked() && !isFamiliar) {
            return new Refused(Scope.SOURCE);
        }
        Counted forClient = reserve(byClient, clientKey, settings.perClient(), now);
        if (forClient.locked() && !isFamiliar) {
            release(byAuthIdFromClient, sourceKey, forSource.counted(), settings.perAuthIdFromClient());
            return new Refused(Scope.CLIENT);
        }
        // A familiar address that a lock holds is let through, but takes turns: the lock may be someone else's
        // doing behind the same address, and the line is what bounds the guesses of whoever it is.
        boolean paced = !isFamiliar || forSource.locked() || forClient.locked();
        long turn = now;
        if (paced) {
            long[] taken = {0};
            boolean[] full = {false};
            byAuthId.asMap().compute(authIdKey, (k, old) -> {
                Pace current = old == null || old.expired(now, settings) ? new Pace(0, now, now) : old;
                long next = current.nextTurn() - now > 0 ? current.nextTurn() : now;
                if (next - now > MAX_WAIT.toNanos()) {
                    full[0] = true;
                    return old;
                }
                int count = current.count() + 1;
                taken[0] = next;
                return new Pace(count, next + pace(count).toNanos(), now);
            });
            if (full[0]) {
                release(byAuthIdFromClient, sourceKey, forSource.counted(), settings.perAuthIdFromClient());
                release(byClient, clientKey, forClient.counted(), settings.perClient());
                return new Refused(Scope.AUTH_ID);
            }
            turn = taken[0];
        }
        Duration delay = max(delay(forSource.count(), settings.perAuthIdFromClient()),
                delay(forClient.count(), settings.perClient()));
        return new Admitted(authIdKey, sourceKey, clientKey, forSource.counted(), forClient.counted(), paced, turn,
                delay);
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

    /**
     * Failures of this login over all client addresses that take turns now (familiar addresses' attempts are not
     * among them); for tests and diagnostics.
     */
    public int failures(String login) {
        Pace pace = byAuthId.getIfPresent(authIdKey(login));
        return pace == null || pace.expired(nanos(), settings) ? 0 : pace.count();
    }

    /** Failures of this login from this client address counted now; for tests and diagnostics. */
    public int failures(String login, String clientIp) {
        return count(byAuthIdFromClient, authIdKey(login) + '\0' + clientKey(clientIp));
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

    /**
     * @param locked  the key is locked out; nothing was counted
     * @param count   the failures counted for the key, this attempt's included unless locked
     */
    private record Counted(boolean locked, int count) {
        /** How many failures this attempt added to the key (what settling it may take back). */
        int counted() {
            return locked ? 0 : 1;
        }
    }

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
        if (n == 0) {
            return;
        }
        cache.asMap().computeIfPresent(key, (k, old) -> {
            int count = old.count() - n;
            if (count <= 0) {
                return null;
            }
            return new Failures(count, old.windowStart(), count >= limits.lockoutFailures() ? old.lockedUntil() : 0);
        });
    }

    /** Takes back one failure of an auth ID; the turn it was given stays taken. */
    private void releasePace(String authIdKey) {
        byAuthId.asMap().computeIfPresent(authIdKey, (k, old) ->
                new Pace(Math.max(0, old.count() - 1), old.nextTurn(), old.lastFailure()));
    }

    private Duration delay(int failures, Limits limits) {
        return doubling(failures - limits.freeFailures(), settings.maxDelay());
    }

    /** The time between the turn of the {@code count}th failure of an auth ID and the next turn. */
    private Duration pace(int count) {
        return doubling(count - settings.authIdFreeFailures(), settings.maxPace());
    }

    private Duration doubling(int beyond, Duration cap) {
        if (beyond <= 0) {
            return Duration.ZERO;
        }
        // 1, 2, 4, 8 ... times the first delay; past 2^20 the cap has long been reached.
        Duration delay = settings.firstDelay().multipliedBy(1L << Math.min(beyond - 1, 20));
        return delay.compareTo(cap) > 0 ? cap : delay;
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

    /**
     * The line of one auth ID's password checks.
     *
     * @param count       failures counted (all addresses but familiar ones)
     * @param nextTurn    the earliest time the next check may run (timer nanos)
     * @param lastFailure when the last failure was counted (timer nanos)
     */
    private record Pace(int count, long nextTurn, long lastFailure) {
        boolean expired(long now, Settings settings) {
            return now - nextTurn >= 0 && now - lastFailure >= settings.window().toNanos();
        }

        long expiresAt(Settings settings) {
            long quietEnd = lastFailure + settings.window().toNanos();
            return nextTurn - quietEnd > 0 ? nextTurn : quietEnd;
        }
    }

    /** Logins are counted case-insensitively and at most as long as the audit log keeps them. */
    static String authIdKey(String login) {
        String key = AuthIds.normalize(login);
        return key.length() > 255 ? key.substring(0, 255) : key;
    }

    static String clientKey(String clientIp) {
        return ClientCounts.key(clientIp);
    }
}
