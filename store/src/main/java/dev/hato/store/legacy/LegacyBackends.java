package dev.hato.store.legacy;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The old mail systems of a migration, by name, and each person's login on them. */
public interface LegacyBackends {

    /** Adds {@code backend}, or, with {@code replace}, replaces the one of its name; false when it exists and may not be replaced. */
    Mono<Boolean> put(LegacyBackend backend, boolean replace);

    /** Every legacy system, by name. */
    Flux<LegacyBackend> list();

    /** One legacy system; empty when none has that name. */
    Mono<LegacyBackend> find(String name);

    /**
     * Removes a legacy system; false when none had that name. IllegalStateException while a route leads to it.
     */
    Mono<Boolean> remove(String name);

    /** Sets how hard a migration may press the system; false when no system has that name. */
    Mono<Boolean> setThrottle(String name, Throttle throttle);

    /** How hard a migration may press the system: {@link Throttle#NONE} unless set. */
    Mono<Throttle> throttle(String name);

    /** Records the person's login on the old systems ({@code null}: their address, the default). */
    Mono<Void> setLogin(long accountId, @Nullable String login);

    /** The person's login on the old systems, when it is not their address; empty otherwise. */
    Mono<String> login(long accountId);

    /**
     * Sets the person's route ({@code null}: their domain's default). IllegalArgumentException when it names a
     * legacy system that does not exist.
     */
    Mono<Void> setRoute(long accountId, @Nullable Route route);

    /**
     * Sets the default route of a domain's people: a legacy system, or Hato ({@code null}). IllegalArgumentException
     * when it names a legacy system that does not exist.
     */
    Mono<Void> setDomainRoute(long domainId, @Nullable String backend);

    /** The route that serves the person: their own, else their domain's default, else {@link Route#LOCAL}. */
    Mono<Route> route(long accountId);

    /** {@link #route} of several people at once, by account ID (an account that is gone is absent). */
    Mono<java.util.Map<Long, Route>> routes(java.util.Collection<Long> accountIds);

    /**
     * Records a step of a person's migration from {@code backend}: its new {@code state}, and, for a pass, the
     * messages it copied and refused (added to the totals; a pass counts when {@code pass}). {@code error}: why it
     * failed, or null (which clears the last error).
     */
    Mono<Void> recordMigration(long accountId, String backend, String state, boolean pass, long copied, long refused,
                               @Nullable String error);

    /** Records the outcome of a verification of the person's copy. */
    Mono<Void> recordVerification(long accountId, boolean verified);

    /** Every person's migration, by domain and address; {@code domain} null for all. */
    Flux<MigrationStatus> migrations(@Nullable String domain);

    /**
     * The migrations of the people of {@code domain}, by address, as {@code administrator} may see them: none
     * unless they administer the domain (or the site). Decided in the query itself.
     */
    Flux<MigrationStatus> migrationsAdministered(long administrator, String domain);

    /** One person's migration; empty when none was recorded. */
    Mono<MigrationStatus> migration(long accountId);

    /** Every route set: the domains' defaults, then people's own, each by domain and address. */
    Flux<RouteEntry> routes();

    /**
     * Whether a proxied login of someone who follows the domain's default route starts their migration in the
     * background ({@link #startOnLogin}); false when the domain has no legacy default to migrate from.
     */
    Mono<Boolean> setMigrateOnLogin(long domainId, boolean on);

    /**
     * Hands the person's migration from {@code backend} to the server: it makes passes by itself from now on (a
     * person moved or rolled back before starts again as {@code queued}); with {@code cutoverWhenVerified} it moves
     * them once a pass was verified, with {@code notify} it tells them.
     */
    Mono<Void> startMigration(long accountId, String backend, boolean cutoverWhenVerified, boolean notify);

    /** Stops the server's passes for the person; false when no migration of theirs was running in the background. */
    Mono<Boolean> stopMigration(long accountId);

    /**
     * Starts the person's migration, verified cutover and notices included, when their domain migrates on login,
     * they follow its default route and no migration of theirs was ever recorded; true when it started.
     */
    Mono<Boolean> startOnLogin(long accountId);

    /**
     * Claims up to {@code limit} background migrations whose pass is due, oldest first, by moving their next pass
     * {@code lease} ahead (a node that dies mid-pass leaves the person to be claimed again then); rows another node
     * is claiming are skipped. The people's account IDs.
     */
    Flux<Long> claimDue(int limit, java.time.Duration lease);

    /**
     * Takes (or, for the same {@code owner}, renews) the lease on the person's migration for {@code lease}: one
     * worker at a time. The owner that holds it afterwards: {@code owner} when it was taken.
     */
    Mono<String> lock(long accountId, String owner, java.time.Duration lease);

    /**
     * Takes the lease from {@code holder}, known to be gone (a process that no longer runs), for {@code owner}; false
     * when {@code holder} no longer holds it.
     */
    Mono<Boolean> takeOver(long accountId, String holder, String owner, java.time.Duration lease);

    /** Gives the lease back, if {@code owner} holds it. */
    Mono<Void> unlock(long accountId, String owner);

    /**
     * The person's mail in the outbound queue still to go to {@code backend}'s MTA (recipients queued with that
     * transport for their address): a cutover waits for it to reach the old server before its last pass.
     */
    Mono<Long> queuedForLegacy(long accountId, String backend);

    /**
     * Schedules the person's next background pass; {@code null}: no more (the server's work for them is done).
     * Nothing when their migration no longer runs in the background ({@link #stopMigration} wins over a pass).
     */
    Mono<Void> schedulePass(long accountId, java.time.@Nullable Instant next);
}
