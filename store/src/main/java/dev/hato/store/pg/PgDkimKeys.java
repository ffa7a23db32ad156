package dev.hato.store.pg;

import dev.hato.store.keys.DkimKey;
import dev.hato.store.keys.DkimKeyException.Reason;
import dev.hato.store.keys.DkimKeyException;
import dev.hato.store.keys.DkimKeys;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * DKIM keys in {@code dkim_key}. "One active key per domain and algorithm" is the partial unique index; the two
 * statements that move the active mark (deactivate the old key, then insert or activate the new one) run in one
 * transaction, so a signer never sees a domain without its key in the middle of a rotation.
 */
final class PgDkimKeys implements DkimKeys {

    private static final String COLUMNS = "domain, selector, algorithm, private_key, public_key, created, active";

    private static final String DEACTIVATE = "UPDATE dkim_key SET active = false"
            + " WHERE domain = $1 AND algorithm = $2 AND active AND selector <> $3";

    private final Database db;

    PgDkimKeys(Database db) {
        this.db = db;
    }

    @Override
    public Mono<DkimKey> add(DkimKey key) {
        Objects.requireNonNull(key, "key");
        return db.inTransaction(connection -> deactivateOthers(connection, key.domain(), key.algorithm(),
                                key.selector(), key.active())
                        .thenMany(Database.rows(Database.statement(connection, "INSERT INTO dkim_key (" + COLUMNS
                                        + ") VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING " + COLUMNS,
                                key.domain(), key.selector(), key.algorithm(), key.privateKey(), key.publicKey(),
                                key.created(), key.active()), PgDkimKeys::key)))
                .single()
                .onErrorMap(PgDkimKeys::isDuplicate, e -> new DkimKeyException(Reason.DUPLICATE_SELECTOR,
                        "the domain " + key.domain() + " already has a key with selector " + key.selector()
                                + " (or a concurrent change made another one active)"));
    }

    @Override
    public Flux<DkimKey> activeKeys(String domain) {
        String name = DkimKey.dnsName(domain, "domain");
        return db.query("SELECT " + COLUMNS + " FROM dkim_key WHERE domain = $1 AND active ORDER BY algorithm",
                PgDkimKeys::key, name);
    }

    @Override
    public Flux<DkimKey> keys(@Nullable String domain) {
        if (domain == null) {
            return db.query("SELECT " + COLUMNS + " FROM dkim_key ORDER BY domain, created DESC, selector",
                    PgDkimKeys::key);
        }
        return db.query("SELECT " + COLUMNS + " FROM dkim_key WHERE domain = $1 ORDER BY created DESC, selector",
                PgDkimKeys::key, DkimKey.dnsName(domain, "domain"));
    }

    @Override
    public Mono<DkimKey> activate(String domain, String selector) {
        String name = DkimKey.dnsName(domain, "domain");
        String sel = DkimKey.dnsName(selector, "selector");
        // Lock the key first: its algorithm says which active key to retire, and a concurrent remove waits.
        return db.inTransaction(connection -> Database.rows(Database.statement(connection, "SELECT " + COLUMNS
                                + " FROM dkim_key WHERE domain = $1 AND selector = $2 FOR UPDATE", name, sel),
                        PgDkimKeys::key)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> unknown(name, sel)))
                .flatMap(key -> deactivateOthers(connection, name, key.algorithm(), sel, true)
                        .then(Database.rows(Database.statement(connection, "UPDATE dkim_key SET active = true"
                                        + " WHERE domain = $1 AND selector = $2 RETURNING " + COLUMNS, name, sel),
                                PgDkimKeys::key).single())))
                .single()
                .onErrorMap(PgDkimKeys::isDuplicate, e -> new DkimKeyException(Reason.DUPLICATE_SELECTOR,
                        "a concurrent change made another key of " + name + " active; try again"));
    }

    @Override
    public Mono<Void> remove(String domain, String selector) {
        String name = DkimKey.dnsName(domain, "domain");
        String sel = DkimKey.dnsName(selector, "selector");
        return db.update("DELETE FROM dkim_key WHERE domain = $1 AND selector = $2", name, sel)
                .flatMap(deleted -> deleted == 0 ? Mono.error(unknown(name, sel)) : Mono.empty());
    }

    private static Mono<Long> deactivateOthers(Connection connection, String domain, String algorithm,
                                               String selector, boolean activating) {
        return activating
                ? Database.rowsUpdated(Database.statement(connection, DEACTIVATE, domain, algorithm, selector))
                : Mono.just(0L);
    }

    private static DkimKeyException unknown(String domain, String selector) {
        return new DkimKeyException(Reason.UNKNOWN_KEY, "no DKIM key " + selector + "._domainkey." + domain);
    }

    private static boolean isDuplicate(Throwable e) {
        return e instanceof PostgresqlException postgres && "23505".equals(postgres.getErrorDetails().getCode());
    }

    private static DkimKey key(Readable row) {
        return new DkimKey(Database.required(row, "domain", String.class),
                Database.required(row, "selector", String.class),
                Database.required(row, "algorithm", String.class),
                Database.required(row, "private_key", String.class),
                Database.required(row, "public_key", String.class),
                Database.required(row, "created", Instant.class),
                Database.required(row, "active", Boolean.class));
    }
}
