package dev.hato.store.pg;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.AddressRoute;
import dev.hato.store.legacy.Route;
import dev.hato.store.directory.Addresses;
import dev.hato.store.directory.Alias;
import dev.hato.store.directory.CatchAll;
import dev.hato.store.directory.DirectoryException.Reason;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.Forwarding;
import io.r2dbc.spi.Readable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** {@link Addresses} on the {@code alias} table and the routing columns of {@code domain} and {@code account}. */
final class PgAddresses implements Addresses {

    // One round trip per RCPT: the domain row decides "local", the left joins find account and alias. The
    // account's migration route (issue 17: its own, else its domain's default) and whether that legacy system has an
    // SMTP server ride on the same query: three more primary-key lookups, and no round trip, cache or staleness
    // added to the SMTP hot path (a route changed by `hato route set` applies to the next RCPT on every node).
    private static final String LEGACY_BACKEND = "coalesce(lr.backend, CASE WHEN lr.route IS NULL THEN ldr.backend END)";
    private static final String ROUTE = "SELECT d.name AS domain, d.catch_all,"
            + " a.id, a.domain_id, a.address, a.auth_id, a.display_name, a.password_hash, a.forward_to,"
            + " a.forward_keep_copy, al.targets,"
            + " lr.route AS own_route, " + LEGACY_BACKEND + " AS legacy_backend,"
            + " lb.smtp_host IS NOT NULL AS legacy_smtp"
            + " FROM domain d"
            + " LEFT JOIN account a ON a.address = $1"
            + " LEFT JOIN alias al ON al.address = $1"
            + " LEFT JOIN legacy_route lr ON lr.account_id = a.id"
            + " LEFT JOIN legacy_domain_route ldr ON ldr.domain_id = a.domain_id"
            + " LEFT JOIN legacy_backend lb ON lb.name = " + LEGACY_BACKEND
            + " WHERE d.name = $2";

    private static final String CHECK_ALIAS = "SELECT (SELECT id FROM domain WHERE name = $1) AS domain_id,"
            + " EXISTS (SELECT 1 FROM account WHERE address = $2) AS taken";

    // New targets are appended in the order given; targets the alias has already are not repeated. Targets keep the
    // case of their local part (another server's mailboxes may be case-sensitive) but are compared without it.
    private static final String UPSERT_ALIAS = "INSERT INTO alias (address, domain_id, targets) VALUES ($1, $2, $3)"
            + " ON CONFLICT (address) DO UPDATE SET targets = alias.targets || ARRAY("
            + "  SELECT t FROM unnest(EXCLUDED.targets) WITH ORDINALITY AS x (t, n)"
            + "  WHERE lower(t) <> ALL (SELECT lower(o) FROM unnest(alias.targets) AS o) ORDER BY n)"
            + " RETURNING address, targets";

    private static final String FORWARDING_COLUMNS = "a.address, a.auth_id, a.forward_to, a.forward_keep_copy";

    private final Database db;

    PgAddresses(Database db) {
        this.db = db;
    }

    @Override
    public Mono<AddressRoute> route(String address) {
        Objects.requireNonNull(address, "address");
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return Mono.empty();
        }
        return db.query(ROUTE, PgAddresses::route, address, address.substring(at + 1)).singleOrEmpty();
    }

    @Override
    public Mono<Alias> addAlias(String address, List<String> targets) {
        Objects.requireNonNull(address, "address");
        if (targets.isEmpty()) {
            return Mono.error(new IllegalArgumentException("an alias needs at least one target"));
        }
        int at = address.lastIndexOf('@');
        if (at < 1 || at == address.length() - 1) {
            return Mono.error(new IllegalArgumentException("not an address: " + address));
        }
        String[] distinct = distinct(targets);
        return db.query(CHECK_ALIAS, row -> new Object[] {row.get("domain_id", Long.class),
                        Database.required(row, "taken", Boolean.class)}, address.substring(at + 1), address)
                .single()
                .flatMap(check -> {
                    if (check[0] == null) {
                        return Mono.error(new DirectoryException(Reason.UNKNOWN_DOMAIN,
                                "the domain of " + address + " is not a local domain"));
                    }
                    if ((Boolean) check[1]) {
                        return Mono.error(new DirectoryException(Reason.DUPLICATE_ADDRESS,
                                "an account has the address " + address));
                    }
                    return db.query(UPSERT_ALIAS, PgAddresses::alias, address, check[0], distinct).single();
                });
    }

    @Override
    public Flux<Alias> aliases(@Nullable String domain) {
        if (domain == null) {
            return db.query("SELECT address, targets FROM alias ORDER BY address", PgAddresses::alias);
        }
        return db.query("SELECT al.address, al.targets FROM alias al JOIN domain d ON d.id = al.domain_id"
                + " WHERE d.name = $1 ORDER BY al.address", PgAddresses::alias, domain);
    }

    @Override
    public Mono<Void> removeAlias(String address, @Nullable String target) {
        Objects.requireNonNull(address, "address");
        if (target == null) {
            return db.update("DELETE FROM alias WHERE address = $1", address)
                    .flatMap(deleted -> deleted == 0
                            ? Mono.error(new DirectoryException(Reason.UNKNOWN_ALIAS, "no alias " + address))
                            : Mono.empty());
        }
        // Removing the last target removes the alias: an alias without targets would swallow mail. Two
        // statements, because one statement cannot both update a row and delete it.
        return db.update("UPDATE alias SET targets = ARRAY(SELECT t FROM unnest(targets) WITH ORDINALITY AS x (t, n)"
                        + " WHERE lower(t) <> lower($2) ORDER BY n)"
                        + " WHERE address = $1 AND lower($2) = ANY (SELECT lower(t) FROM unnest(targets) AS t)",
                        address, target)
                .flatMap(updated -> updated == 0
                        ? Mono.error(new DirectoryException(Reason.UNKNOWN_ALIAS,
                                "no alias " + address + " with target " + target))
                        : db.update("DELETE FROM alias WHERE address = $1 AND cardinality(targets) = 0", address)
                                .then());
    }

    @Override
    public Mono<Void> setCatchAll(String domain, @Nullable String target) {
        Objects.requireNonNull(domain, "domain");
        return db.update("UPDATE domain SET catch_all = $2 WHERE name = $1", domain,
                        Database.nullable(target, String.class))
                .flatMap(updated -> updated == 0
                        ? Mono.error(new DirectoryException(Reason.UNKNOWN_DOMAIN, "no domain " + domain))
                        : Mono.empty());
    }

    @Override
    public Flux<CatchAll> catchAlls() {
        return db.query("SELECT name, catch_all FROM domain WHERE catch_all IS NOT NULL ORDER BY name",
                row -> new CatchAll(Database.required(row, "name", String.class),
                        Database.required(row, "catch_all", String.class)));
    }

    @Override
    public Mono<Forwarding> setForwarding(String authIdOrAddress, List<String> targets, boolean keepCopy) {
        Objects.requireNonNull(authIdOrAddress, "authIdOrAddress");
        String[] distinct = distinct(targets);
        // An auth ID match wins over an address match, as in removeAccount.
        return db.query("UPDATE account a SET forward_to = $2, forward_keep_copy = $3"
                        + " WHERE a.id = (SELECT id FROM account WHERE auth_id = $1 OR address = $1"
                        + "  ORDER BY auth_id = $1 DESC LIMIT 1)"
                        + " RETURNING " + FORWARDING_COLUMNS, PgAddresses::forwarding, authIdOrAddress, distinct,
                        keepCopy)
                .singleOrEmpty()
                .switchIfEmpty(Mono.error(() -> new DirectoryException(Reason.UNKNOWN_ACCOUNT,
                        "no account with auth ID or address " + authIdOrAddress)));
    }

    @Override
    public Flux<Forwarding> forwardings(@Nullable String domain) {
        if (domain == null) {
            return db.query("SELECT " + FORWARDING_COLUMNS + " FROM account a WHERE cardinality(a.forward_to) > 0"
                    + " ORDER BY a.address", PgAddresses::forwarding);
        }
        return db.query("SELECT " + FORWARDING_COLUMNS + " FROM account a JOIN domain d ON d.id = a.domain_id"
                + " WHERE d.name = $1 AND cardinality(a.forward_to) > 0 ORDER BY a.address",
                PgAddresses::forwarding, domain);
    }

    /** The targets in order, each once, compared without case. */
    private static String[] distinct(List<String> targets) {
        Map<String, String> byLowerCase = new LinkedHashMap<>();
        targets.forEach(target -> byLowerCase.putIfAbsent(target.toLowerCase(Locale.ROOT), target));
        return byLowerCase.values().toArray(String[]::new);
    }

    private static AddressRoute route(Readable row) {
        Long id = row.get("id", Long.class);
        Account account = id == null ? null : new Account(id,
                Database.required(row, "domain_id", Long.class),
                Database.required(row, "address", String.class),
                Database.required(row, "auth_id", String.class),
                Database.required(row, "display_name", String.class),
                row.get("password_hash", String.class));
        String[] forwardTo = account == null ? new String[0] : Database.required(row, "forward_to", String[].class);
        Boolean keep = row.get("forward_keep_copy", Boolean.class);
        String[] aliasTargets = row.get("targets", String[].class);
        Boolean legacySmtp = row.get("legacy_smtp", Boolean.class);
        return new AddressRoute(Database.required(row, "domain", String.class), account, Arrays.asList(forwardTo),
                keep == null || keep, aliasTargets == null ? List.of() : Arrays.asList(aliasTargets),
                row.get("catch_all", String.class), account == null ? null
                        : legacyBackend(PgLegacyBackends.route(row.get("own_route", String.class),
                                row.get("legacy_backend", String.class))),
                Boolean.TRUE.equals(legacySmtp));
    }

    private static @Nullable String legacyBackend(Route route) {
        return route.isLegacy() ? route.backend() : null;
    }

    private static Alias alias(Readable row) {
        return new Alias(Database.required(row, "address", String.class),
                Arrays.asList(Database.required(row, "targets", String[].class)));
    }

    private static Forwarding forwarding(Readable row) {
        return new Forwarding(Database.required(row, "address", String.class),
                Database.required(row, "auth_id", String.class),
                Arrays.asList(Database.required(row, "forward_to", String[].class)),
                Database.required(row, "forward_keep_copy", Boolean.class));
    }
}
