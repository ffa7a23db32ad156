package dev.hato.store.pg;

import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackend.Server;
import dev.hato.store.legacy.LegacyBackend.Tls;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.MigrationStatus;
import dev.hato.store.legacy.Route;
import dev.hato.store.legacy.RouteEntry;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Readable;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Legacy systems in {@code legacy_backend}, people's logins there in {@code legacy_login}, routes in
 * {@code legacy_route} (a person's) and {@code legacy_domain_route} (a domain's default).
 */
final class PgLegacyBackends implements LegacyBackends {

    private static final String COLUMNS = "name, imap_host, imap_port, imap_tls, pop3_host, pop3_port, pop3_tls,"
            + " smtp_host, smtp_port, managesieve_host, managesieve_port, managesieve_tls, trust_pem, master_user,"
            + " master_password";

    private final Database db;

    PgLegacyBackends(Database db) {
        this.db = db;
    }

    @Override
    public Mono<Boolean> put(LegacyBackend backend, boolean replace) {
        StringBuilder sql = new StringBuilder("INSERT INTO legacy_backend (" + COLUMNS + ") VALUES ($1, $2, $3, $4,"
                + " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (name) DO ");
        if (replace) {
            sql.append("UPDATE SET ");
            String[] columns = COLUMNS.split(", ");
            for (int i = 1; i < columns.length; i++) {
                sql.append(i > 1 ? ", " : "").append(columns[i].strip()).append(" = excluded.")
                        .append(columns[i].strip());
            }
        } else {
            sql.append("NOTHING");
        }
        byte[] sealed = backend.sealedMasterPassword();
        return db.update(sql.toString(), backend.name(),
                        backend.imap().host(), backend.imap().port(), backend.imap().tls().label(),
                        host(backend.pop3()), port(backend.pop3()), tls(backend.pop3()),
                        host(backend.smtp()), port(backend.smtp()),
                        host(backend.manageSieve()), port(backend.manageSieve()), tls(backend.manageSieve()),
                        Database.nullable(backend.trustPem(), String.class),
                        Database.nullable(backend.masterUser(), String.class),
                        Database.nullable(sealed == null ? null : ByteBuffer.wrap(sealed), ByteBuffer.class))
                .map(rows -> rows > 0);
    }

    @Override
    public Flux<LegacyBackend> list() {
        return db.query("SELECT " + COLUMNS + " FROM legacy_backend ORDER BY name", PgLegacyBackends::backend);
    }

    @Override
    public Mono<LegacyBackend> find(String name) {
        return db.query("SELECT " + COLUMNS + " FROM legacy_backend WHERE name = $1", PgLegacyBackends::backend,
                name).singleOrEmpty();
    }

    @Override
    public Mono<Boolean> remove(String name) {
        return db.update("DELETE FROM legacy_backend WHERE name = $1", name).map(rows -> rows > 0)
                // No cause attached: the message says all, and the command line shows the innermost cause's.
                .onErrorMap(PgLegacyBackends::foreignKey, e -> new IllegalStateException(queued(e)
                        ? "mail queued for " + name + "'s MTA is still waiting: let it be delivered, or delete it"
                                + " (hato queue list, hato queue delete)"
                        : "routes still lead to " + name + ": set them to another system or to local first"
                                + " (hato route list)"));
    }

    @Override
    public Mono<Void> setRoute(long accountId, @Nullable Route route) {
        if (route == null) {
            return db.update("DELETE FROM legacy_route WHERE account_id = $1", accountId).then();
        }
        return db.update("INSERT INTO legacy_route (account_id, route, backend) VALUES ($1, $2, $3)"
                        + " ON CONFLICT (account_id) DO UPDATE SET route = excluded.route, backend = excluded.backend",
                        accountId, route.kind().name().toLowerCase(Locale.ROOT),
                        Database.nullable(route.backend(), String.class))
                .onErrorMap(PgLegacyBackends::foreignKey, e -> unknownBackend(route.backend())).then();
    }

    @Override
    public Mono<Void> setDomainRoute(long domainId, @Nullable String backend) {
        if (backend == null) {
            return db.update("DELETE FROM legacy_domain_route WHERE domain_id = $1", domainId).then();
        }
        return db.update("INSERT INTO legacy_domain_route (domain_id, backend) VALUES ($1, $2)"
                        + " ON CONFLICT (domain_id) DO UPDATE SET backend = excluded.backend", domainId, backend)
                .onErrorMap(PgLegacyBackends::foreignKey, e -> unknownBackend(backend)).then();
    }

    @Override
    public Mono<Route> route(long accountId) {
        return db.query("SELECT r.route, coalesce(r.backend, d.backend) AS backend FROM account a"
                        + " LEFT JOIN legacy_route r ON r.account_id = a.id"
                        + " LEFT JOIN legacy_domain_route d ON d.domain_id = a.domain_id WHERE a.id = $1",
                        row -> route(row.get("route", String.class), row.get("backend", String.class)), accountId)
                .singleOrEmpty().defaultIfEmpty(Route.LOCAL);
    }

    @Override
    public Mono<java.util.Map<Long, Route>> routes(java.util.Collection<Long> accountIds) {
        if (accountIds.isEmpty()) {
            return Mono.just(java.util.Map.of());
        }
        return db.query("SELECT a.id, r.route, coalesce(r.backend, d.backend) AS backend FROM account a"
                        + " LEFT JOIN legacy_route r ON r.account_id = a.id"
                        + " LEFT JOIN legacy_domain_route d ON d.domain_id = a.domain_id WHERE a.id = ANY($1)",
                        row -> java.util.Map.entry(Database.required(row, "id", Long.class),
                                route(row.get("route", String.class), row.get("backend", String.class))),
                        (Object) accountIds.toArray(Long[]::new))
                .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue);
    }

    @Override
    public Mono<Void> recordMigration(long accountId, String backend, String state, boolean pass, long copied,
                                      long refused, @Nullable String error) {
        return db.update("INSERT INTO migration (account_id, backend, state, passes, copied, refused, last_error)"
                        + " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id) DO UPDATE SET"
                        + " backend = excluded.backend, state = excluded.state,"
                        + " passes = migration.passes + excluded.passes, copied = migration.copied + excluded.copied,"
                        + " refused = migration.refused + excluded.refused, last_error = excluded.last_error,"
                        + " updated_at = now()",
                accountId, backend, state, pass ? 1 : 0, copied, refused,
                Database.nullable(error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error,
                        String.class)).then();
    }

    @Override
    public Mono<Void> recordVerification(long accountId, boolean verified) {
        return db.update("UPDATE migration SET verified = $2, updated_at = now() WHERE account_id = $1", accountId,
                verified).then();
    }

    @Override
    public Flux<MigrationStatus> migrations(@Nullable String domain) {
        return db.query("SELECT m.*, a.address, d.name AS domain FROM migration m JOIN account a ON a.id = m.account_id"
                        + " JOIN domain d ON d.id = a.domain_id WHERE $1::text IS NULL OR d.name = $1"
                        + " ORDER BY d.name, a.address", PgLegacyBackends::migration,
                Database.nullable(domain, String.class));
    }

    @Override
    public Flux<MigrationStatus> migrationsAdministered(long administrator, String domain) {
        return db.query("SELECT m.*, a.address, d.name AS domain FROM migration m JOIN account a ON a.id = m.account_id"
                        + " JOIN domain d ON d.id = a.domain_id WHERE d.name = $2 AND EXISTS (SELECT 1 FROM admin_grant g"
                        + " WHERE g.account_id = $1 AND (g.domain_id IS NULL OR g.domain_id = d.id))"
                        + " ORDER BY a.address", PgLegacyBackends::migration, administrator, domain);
    }

    @Override
    public Mono<MigrationStatus> migration(long accountId) {
        return db.query("SELECT m.*, a.address, d.name AS domain FROM migration m JOIN account a ON a.id = m.account_id"
                + " JOIN domain d ON d.id = a.domain_id WHERE m.account_id = $1", PgLegacyBackends::migration,
                accountId).singleOrEmpty();
    }

    private static MigrationStatus migration(Readable row) {
        return new MigrationStatus(Database.required(row, "account_id", Long.class),
                Database.required(row, "address", String.class),
                Database.required(row, "domain", String.class),
                Database.required(row, "backend", String.class),
                Database.required(row, "state", String.class),
                Database.required(row, "passes", Integer.class),
                Database.required(row, "copied", Long.class),
                Database.required(row, "refused", Long.class),
                row.get("verified", Boolean.class), row.get("last_error", String.class),
                Database.required(row, "started_at", java.time.Instant.class),
                Database.required(row, "updated_at", java.time.Instant.class),
                Database.required(row, "background", Boolean.class),
                Database.required(row, "cutover_when_verified", Boolean.class),
                Database.required(row, "notify", Boolean.class),
                row.get("next_pass_at", java.time.Instant.class));
    }

    @Override
    public Flux<RouteEntry> routes() {
        return db.query("SELECT d.name AS domain, NULL AS address, 'legacy' AS route, r.backend, 0 AS own,"
                + " r.migrate_on_login FROM legacy_domain_route r JOIN domain d ON d.id = r.domain_id"
                + " UNION ALL SELECT d.name, a.address, r.route, r.backend, 1, false FROM legacy_route r"
                + " JOIN account a ON a.id = r.account_id JOIN domain d ON d.id = a.domain_id"
                + " ORDER BY own, domain, address", row -> new RouteEntry(
                        Database.required(row, "domain", String.class), row.get("address", String.class),
                        route(row.get("route", String.class), row.get("backend", String.class)),
                        Database.required(row, "migrate_on_login", Boolean.class)));
    }

    @Override
    public Mono<Boolean> setMigrateOnLogin(long domainId, boolean on) {
        return db.update("UPDATE legacy_domain_route SET migrate_on_login = $2 WHERE domain_id = $1", domainId, on)
                .map(rows -> rows > 0);
    }

    @Override
    public Mono<Void> startMigration(long accountId, String backend, boolean cutoverWhenVerified, boolean notify) {
        return db.update("INSERT INTO migration (account_id, backend, state, background, cutover_when_verified, notify,"
                        + " next_pass_at) VALUES ($1, $2, 'queued', true, $3, $4, now())"
                        + " ON CONFLICT (account_id) DO UPDATE SET backend = excluded.backend, background = true,"
                        + " cutover_when_verified = excluded.cutover_when_verified, notify = excluded.notify,"
                        + " next_pass_at = now(), updated_at = now(), state = CASE WHEN migration.state IN"
                        + " ('moved', 'rolled-back') THEN 'queued' ELSE migration.state END",
                        accountId, backend, cutoverWhenVerified, notify).then();
    }

    @Override
    public Mono<Boolean> stopMigration(long accountId) {
        return db.update("UPDATE migration SET background = false, next_pass_at = NULL, updated_at = now()"
                + " WHERE account_id = $1 AND background", accountId).map(rows -> rows > 0);
    }

    @Override
    public Mono<Boolean> startOnLogin(long accountId) {
        return db.update("INSERT INTO migration (account_id, backend, state, background, cutover_when_verified, notify,"
                + " next_pass_at) SELECT a.id, d.backend, 'queued', true, true, true, now() FROM account a"
                + " JOIN legacy_domain_route d ON d.domain_id = a.domain_id"
                + " WHERE a.id = $1 AND d.migrate_on_login"
                + " AND NOT EXISTS (SELECT 1 FROM legacy_route r WHERE r.account_id = a.id)"
                + " ON CONFLICT (account_id) DO NOTHING", accountId).map(rows -> rows > 0);
    }

    @Override
    public Flux<Long> claimDue(int limit, java.time.Duration lease) {
        return db.query("WITH due AS (SELECT account_id FROM migration WHERE background AND next_pass_at <= now()"
                        + " ORDER BY next_pass_at LIMIT $1 FOR UPDATE SKIP LOCKED)"
                        + " UPDATE migration m SET next_pass_at = now() + make_interval(secs => $2)"
                        + " FROM due WHERE m.account_id = due.account_id RETURNING m.account_id",
                row -> Database.required(row, "account_id", Long.class), limit, (double) lease.toSeconds());
    }

    @Override
    public Mono<Boolean> setThrottle(String name, dev.hato.store.legacy.Throttle throttle) {
        return db.update("INSERT INTO legacy_throttle (backend, max_connections, max_rate) SELECT name, $2, $3"
                        + " FROM legacy_backend WHERE name = $1 ON CONFLICT (backend) DO UPDATE SET"
                        + " max_connections = excluded.max_connections, max_rate = excluded.max_rate", name,
                Database.nullable(throttle.maxConnections(), Integer.class),
                Database.nullable(throttle.maxRate(), Long.class)).map(rows -> rows > 0);
    }

    @Override
    public Mono<dev.hato.store.legacy.Throttle> throttle(String name) {
        return db.query("SELECT max_connections, max_rate FROM legacy_throttle WHERE backend = $1",
                        row -> new dev.hato.store.legacy.Throttle(row.get("max_connections", Integer.class),
                                row.get("max_rate", Long.class)), name)
                .singleOrEmpty().defaultIfEmpty(dev.hato.store.legacy.Throttle.NONE);
    }

    @Override
    public Mono<String> lock(long accountId, String owner, java.time.Duration lease) {
        return db.query("INSERT INTO migration_lock AS l (account_id, owner, until)"
                        + " VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3))"
                        + " ON CONFLICT (account_id) DO UPDATE SET owner = excluded.owner, until = excluded.until"
                        + " WHERE l.until < clock_timestamp() OR l.owner = excluded.owner RETURNING l.owner",
                        row -> Database.required(row, "owner", String.class), accountId, owner,
                        lease.toMillis() / 1000.0)
                .singleOrEmpty()
                .switchIfEmpty(Mono.defer(() -> db.query("SELECT owner FROM migration_lock WHERE account_id = $1",
                        row -> Database.required(row, "owner", String.class), accountId).singleOrEmpty()))
                .defaultIfEmpty("");
    }

    @Override
    public Mono<Boolean> takeOver(long accountId, String holder, String owner, java.time.Duration lease) {
        return db.update("UPDATE migration_lock SET owner = $3, until = clock_timestamp() + make_interval(secs => $4)"
                + " WHERE account_id = $1 AND owner = $2", accountId, holder, owner, lease.toMillis() / 1000.0)
                .map(rows -> rows > 0);
    }

    @Override
    public Mono<Void> unlock(long accountId, String owner) {
        return db.update("DELETE FROM migration_lock WHERE account_id = $1 AND owner = $2", accountId, owner).then();
    }

    @Override
    public Mono<Long> queuedForLegacy(long accountId, String backend) {
        return db.query("SELECT count(*) AS waiting FROM queue_recipient r JOIN account a ON lower(r.address) ="
                        + " lower(a.address) WHERE a.id = $1 AND r.transport = $2 AND r.state = 'queued'",
                row -> Database.required(row, "waiting", Long.class), accountId, backend).single();
    }

    @Override
    public Mono<Void> schedulePass(long accountId, java.time.@Nullable Instant next) {
        return db.update("UPDATE migration SET background = $2, next_pass_at = $3 WHERE account_id = $1 AND background", accountId,
                next != null, Database.nullable(next, java.time.Instant.class)).then();
    }

    /** A person's own route (null: none), falling back on {@code backend} (their domain's default, or null). */
    static Route route(@Nullable String own, @Nullable String backend) {
        if (own == null) {
            return backend == null ? Route.LOCAL : Route.legacy(backend);
        }
        return switch (own) {
            case "local" -> Route.LOCAL;
            case "syncing" -> Route.SYNCING;
            default -> Route.legacy(Objects.requireNonNull(backend));
        };
    }

    /** Whether the foreign key that refused a removal is the outbound queue's (V22), not a route's. */
    private static boolean queued(Throwable error) {
        return error instanceof PostgresqlException postgres
                && "queue_recipient_transport_fkey".equals(postgres.getErrorDetails().getConstraintName().orElse(""));
    }

    private static boolean foreignKey(Throwable error) {
        return error instanceof PostgresqlException postgres && "23503".equals(postgres.getErrorDetails().getCode());
    }

    private static IllegalArgumentException unknownBackend(@Nullable String name) {
        return new IllegalArgumentException("no legacy system is named " + name + " (hato legacy list)");
    }

    @Override
    public Mono<Void> setLogin(long accountId, @Nullable String login) {
        if (login == null) {
            return db.update("DELETE FROM legacy_login WHERE account_id = $1", accountId).then();
        }
        if (login.isEmpty() || login.length() > 255 || login.chars().anyMatch(Character::isISOControl)) {
            return Mono.error(new IllegalArgumentException("a login is 1 to 255 characters without control "
                    + "characters"));
        }
        return db.update("INSERT INTO legacy_login (account_id, login) VALUES ($1, $2)"
                + " ON CONFLICT (account_id) DO UPDATE SET login = excluded.login", accountId, login).then();
    }

    @Override
    public Mono<String> login(long accountId) {
        return db.query("SELECT login FROM legacy_login WHERE account_id = $1",
                row -> Database.required(row, "login", String.class), accountId).singleOrEmpty();
    }

    private static Object host(@Nullable Server server) {
        return Database.nullable(server == null ? null : server.host(), String.class);
    }

    private static Object port(@Nullable Server server) {
        return Database.nullable(server == null ? null : server.port(), Integer.class);
    }

    private static Object tls(@Nullable Server server) {
        return Database.nullable(server == null ? null : server.tls().label(), String.class);
    }

    private static LegacyBackend backend(Readable row) {
        ByteBuffer sealed = row.get("master_password", ByteBuffer.class);
        byte[] password = null;
        if (sealed != null) {
            password = new byte[sealed.remaining()];
            sealed.get(password);
        }
        return new LegacyBackend(Database.required(row, "name", String.class),
                server(row, "imap", true), server(row, "pop3", true), server(row, "smtp", false),
                server(row, "managesieve", true), row.get("trust_pem", String.class),
                row.get("master_user", String.class), password);
    }

    /** A server's columns ({@code prefix_host}, {@code _port}, {@code _tls} when it has one); null when unset. */
    private static @Nullable Server server(Readable row, String prefix, boolean hasTls) {
        String host = row.get(prefix + "_host", String.class);
        Integer port = row.get(prefix + "_port", Integer.class);
        if (host == null || port == null) {
            return null;
        }
        // SMTP to the old MTA is opportunistic STARTTLS, as every MX hop; its mode is not stored
        return new Server(host, port, hasTls ? Tls.of(Database.required(row, prefix + "_tls", String.class))
                : Tls.STARTTLS);
    }
}
