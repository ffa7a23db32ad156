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

    /** Removes a legacy system; false when none had that name. */
    Mono<Boolean> remove(String name);

    /** Records the person's login on the old systems ({@code null}: their address, the default). */
    Mono<Void> setLogin(long accountId, @Nullable String login);

    /** The person's login on the old systems, when it is not their address; empty otherwise. */
    Mono<String> login(long accountId);
}
