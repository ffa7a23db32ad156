package dev.hato.migration;

import dev.hato.legacy.LegacyProxy;
import dev.hato.legacy.LegacyTls;
import dev.hato.legacy.MasterPasswords;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.MigrationStatus;
import dev.hato.store.legacy.Route;
import dev.hato.store.legacy.Throttle;
import dev.hato.store.mail.Blobs;
import dev.hato.store.sieve.SieveScripts;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The migrations the server runs by itself (issue 17): people handed to it by {@code hato migrate start}, or by
 * their first proxied login where their domain migrates on login ({@link #loggedIn}). Every poll it claims the
 * people whose pass is due ({@link LegacyBackends#claimDue}, so nodes sharing a store never copy one person twice at
 * once), makes a pass for each on its own threads (at most {@code parallel} at once) and schedules the next pass one
 * {@code passInterval} later. With cutover-when-verified, a pass that copied everything is verified and, when every
 * message is there, the person is moved ({@link PersonMigration#cutover}); then the server's work for them ends.
 *
 * <p>A claim is a lease of {@link #lease} that this node renews every poll while the pass runs: a node that dies
 * mid-pass leaves the person to be claimed again (the copy resumes where its last batch ended). A pass also holds
 * the person's migration lock ({@link LegacyBackends#lock}), which {@code hato migrate} takes too: while a command
 * works on someone, their pass waits for the next pass interval. A failure is recorded
 * and retried a {@code passInterval} later; what no retry can mend (the old system gone, no way to log in, a route
 * that names another system) ends the background work with the reason recorded.
 *
 * <p>An old system's throttle ({@code hato legacy throttle}) bounds the people copied from it at once on this node
 * (a person over it waits for the next poll) and the octets each connection reads per second.
 *
 * <p>Logins: the old system's master user; where it has none, the password a person gave at their last proxied
 * login, kept in this node's memory only, until their migration ends.
 */
public final class BackgroundMigrations implements LegacyProxy.LoginListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundMigrations.class);
    /** How long a cutover waits for the person's mail queued for the old MTA to get there. */
    private static final Duration QUEUE_WAIT = Duration.ofSeconds(60);

    /** How often, how many at once, and as which host the notices are sent. */
    public record Settings(Duration pollInterval, Duration passInterval, int parallel, String host) { }

    private final LegacyBackends backends;
    private final Directory directory;
    private final MasterPasswords masterPasswords;
    private final ImapCopy copier;
    private final Blobs blobs;
    private final SieveScripts scripts;
    private final Settings settings;
    private final Clock clock;
    private final Duration lease;
    /** This node, as the holder of the people's migration leases ({@link LegacyBackends#lock}). */
    private final String owner = "the server (node " + java.util.UUID.randomUUID().toString().substring(0, 8) + ")";
    private final Scheduler threads;
    /** The people being copied here now, by the old system they are copied from (its throttle counts them). */
    private final Map<String, Set<Long>> perBackend = new HashMap<>();
    /** The people whose pass runs on this node now. */
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    /** Passwords given at proxied logins, for old systems without a master user; only while the person migrates. */
    private final Map<Long, String> passwords = new ConcurrentHashMap<>();
    private @Nullable Disposable ticking;

    public BackgroundMigrations(LegacyBackends backends, Directory directory, MasterPasswords masterPasswords,
                                ImapCopy copier, Blobs blobs, SieveScripts scripts, Settings settings, Clock clock) {
        this.scripts = scripts;
        this.backends = backends;
        this.directory = directory;
        this.masterPasswords = masterPasswords;
        this.copier = copier;
        this.blobs = blobs;
        this.settings = settings;
        this.clock = clock;
        this.lease = Duration.ofMinutes(2).compareTo(settings.pollInterval().multipliedBy(3)) > 0
                ? Duration.ofMinutes(2) : settings.pollInterval().multipliedBy(3);
        this.threads = Schedulers.newBoundedElastic(settings.parallel(), 1000, "hato-migration");
    }

    /** Starts polling. */
    public synchronized BackgroundMigrations start() {
        if (ticking == null) {
            ticking = Flux.interval(Duration.ZERO, settings.pollInterval())
                    .onBackpressureDrop()
                    .concatMap(tick -> poll().onErrorResume(error -> {
                        LOG.warn("looking for due migrations failed: {}", error.toString());
                        return Mono.empty();
                    }), 1)
                    .subscribe();
        }
        return this;
    }

    /** Renews the leases of the passes running here, then claims as many due people as there are free threads. */
    private Mono<Void> poll() {
        Instant renewed = clock.instant().plus(lease);
        Mono<Void> renew = Flux.fromIterable(Set.copyOf(running))
                .concatMap(accountId -> backends.schedulePass(accountId, renewed)
                        .then(backends.lock(accountId, owner, lease))).then();
        return renew.then(Mono.defer(() -> {
            int free = settings.parallel() - running.size();
            if (free <= 0) {
                return Mono.empty();
            }
            return backends.claimDue(free, lease).doOnNext(this::run).then();
        }));
    }

    private void run(long accountId) {
        if (!running.add(accountId)) {
            return; // claimed again while its pass still runs here: the lease renewal keeps it
        }
        Mono.fromRunnable(() -> migrate(accountId))
                .subscribeOn(threads)
                .doFinally(signal -> running.remove(accountId))
                .subscribe(null, error -> LOG.warn("the migration of account {} failed: {}", accountId,
                        error.toString()));
    }

    /** What ends a person's background migration: a retry would fail the same way. */
    private static final class Stop extends RuntimeException {
        Stop(@Nullable String message) {
            super(message);
        }
    }

    /** One person's turn: a pass (and a verified cutover when asked for), then the next pass scheduled, or none. */
    void migrate(long accountId) {
        MigrationStatus status = backends.migration(accountId).block();
        if (status == null || !status.background()) {
            return;
        }
        Instant next = clock.instant().plus(settings.passInterval());
        Throttle throttle = backends.throttle(status.backend()).block();
        if (!connectionFree(status.backend(), accountId, throttle == null ? Throttle.NONE : throttle)) {
            // as many people of that old system as its throttle allows are being copied here: soon again
            backends.schedulePass(accountId, clock.instant().plus(settings.pollInterval())).block();
            return;
        }
        try {
            lockedTurn(status, next, throttle == null ? Throttle.NONE : throttle);
        } finally {
            synchronized (perBackend) {
                Set<Long> people = perBackend.get(status.backend());
                if (people != null) {
                    people.remove(accountId);
                }
            }
        }
    }

    /** Whether the old system's throttle leaves a connection for one more person here; taken when it does. */
    private boolean connectionFree(String backend, long accountId, Throttle throttle) {
        synchronized (perBackend) {
            Set<Long> people = perBackend.computeIfAbsent(backend, name -> new HashSet<>());
            if (throttle.maxConnections() != null && people.size() >= throttle.maxConnections()) {
                return false;
            }
            people.add(accountId);
            return true;
        }
    }

    /** The turn, under the person's migration lock when it can be had. */
    private void lockedTurn(MigrationStatus status, Instant next, Throttle throttle) {
        long accountId = status.accountId();
        String holder = backends.lock(accountId, owner, lease).block();
        if (!owner.equals(holder)) {
            // `hato migrate` (or another node) is working on them: their turn comes again after a pass interval
            LOG.info("the migration of {} is held by {}: next try at {}", status.address(), holder, next);
            backends.schedulePass(accountId, next).block();
            return;
        }
        try {
            turnAndSchedule(status, next, throttle);
        } finally {
            backends.unlock(accountId, owner).block();
        }
    }

    /** The person's turn, under their migration lock; then their next pass is scheduled (or none). */
    private void turnAndSchedule(MigrationStatus status, Instant planned, Throttle throttle) {
        long accountId = status.accountId();
        Instant next = planned;
        try {
            if (turn(status, throttle)) {
                next = null;
            }
        } catch (Stop | GeneralSecurityException e) {
            LOG.warn("the migration of {} stops: {}", status.address(), e.getMessage());
            record(status, e.getMessage());
            next = null;
        } catch (IOException | RuntimeException e) {
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            LOG.warn("a pass of the migration of {} failed (next try at {}): {}", status.address(), next, reason);
            record(status, reason);
        }
        if (next == null) {
            passwords.remove(accountId);
        }
        backends.schedulePass(accountId, next).block();
    }

    private void record(MigrationStatus status, @Nullable String reason) {
        backends.recordMigration(status.accountId(), status.backend(), "failed", false, 0, 0,
                reason == null ? "failed" : reason).block();
    }

    /**
     * A pass, and with cutover-when-verified the verification and the cutover; true when the server's work for the
     * person is done (moved). {@link Stop} for what no retry mends.
     */
    private boolean turn(MigrationStatus status, Throttle throttle) throws IOException, GeneralSecurityException {
        long accountId = status.accountId();
        Route route = backends.route(accountId).block();
        if (route == null || route.equals(Route.LOCAL)) {
            if (!status.state().equals("moved")) {
                throw new Stop("the route of " + status.address() + " is local: nothing to copy "
                        + "from (set it to legacy " + status.backend() + " or syncing)");
            }
            return true;
        }
        if (route.isLegacy() && !status.backend().equals(route.backend())) {
            throw new Stop("the route of " + status.address() + " names " + route.backend()
                    + ", not " + status.backend());
        }
        LegacyBackend backend = backends.find(status.backend()).block();
        if (backend == null) {
            throw new Stop("the legacy system " + status.backend() + " is gone");
        }
        Account account = directory.findByAddress(status.address()).block();
        if (account == null) {
            throw new Stop("no account " + status.address());
        }
        String login = backends.login(accountId).defaultIfEmpty(account.address()).block();
        byte[] sealed = backend.sealedMasterPassword();
        String master;
        try {
            master = sealed == null || backend.masterUser() == null ? null
                    : masterPasswords.open(backend.name(), sealed);
        } catch (IllegalStateException e) {
            throw new Stop(e.getMessage());
        }
        String password = master == null ? passwords.get(accountId) : null;
        if (master == null && password == null) {
            throw new IOException("legacy system " + backend.name() + " has no master user, and "
                    + account.address() + " has not logged in since this node started: their next login by "
                    + "IMAP or POP3 (LOGIN, PLAIN or USER/PASS) lets the copy go on");
        }
        PersonMigration person = new PersonMigration(new PersonMigration.Person(accountId, account.address(),
                account.displayName()), backends, backend, PersonMigration.login(backend, login, master, password),
                LegacyTls.context(backend), copier.throttled(throttle.maxRate() == null ? 0 : throttle.maxRate()),
                settings.host(), null, scripts);
        ImportReport pass = person.pass(status.tellPerson());
        LOG.info("migration of {} from {}: a pass copied {}, refused {}", account.address(), backend.name(),
                pass.imported(), pass.refused());
        if (!status.cutoverWhenVerified() || pass.refused() > 0) {
            return false;
        }
        ImportReport verified = person.verify(blobs);
        if (verified.refused() > 0) {
            LOG.info("migration of {}: {} of {} messages not verified yet", account.address(), verified.refused(),
                    verified.found());
            return false;
        }
        PersonMigration.Cutover cutover = person.cutover(status.tellPerson(), QUEUE_WAIT, report -> { },
                note -> LOG.info("migration of {}: {}", account.address(), note));
        LOG.info("migration of {}: cutover {}", account.address(), cutover);
        if (cutover == PersonMigration.Cutover.QUEUED) {
            backends.recordMigration(accountId, backend.name(), "copied", false, 0, 0, "mail queued for the MTA "
                    + "of " + backend.name() + " before the switch is not there yet: the route stays syncing until "
                    + "it is, and the next pass tries again").block();
        }
        return cutover == PersonMigration.Cutover.MOVED;
    }

    /**
     * A proxied login: starts the person's migration when their domain migrates on login; with the password the
     * client gave, kept for an old system without a master user while the person migrates.
     */
    @Override
    public Mono<Void> loggedIn(long accountId, @Nullable String password) {
        return backends.startOnLogin(accountId)
                .flatMap(started -> started ? Mono.just(true) : backends.migration(accountId)
                        .map(MigrationStatus::background).defaultIfEmpty(false))
                .doOnNext(migrating -> {
                    if (migrating && password != null) {
                        passwords.put(accountId, password);
                    }
                })
                .then();
    }

    /** Stops polling; the passes running stop between two messages and are due again at once. */
    @Override
    public synchronized void close() {
        if (ticking != null) {
            ticking.dispose();
            ticking = null;
        }
        Instant now = clock.instant();
        for (long accountId : Set.copyOf(running)) {
            backends.schedulePass(accountId, now).onErrorResume(error -> Mono.empty())
                    .block(Duration.ofSeconds(5));
        }
        threads.dispose();
        passwords.clear();
    }
}
