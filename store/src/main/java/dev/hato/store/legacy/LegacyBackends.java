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

    /** One person's migration; empty when none was recorded. */
    Mono<MigrationStatus> migration(long accountId);

    /** Every route set: the domains' defaults, then people's own, each by domain and address. */
    Flux<RouteEntry> routes();
}
