package dev.hato.store.pg;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.DirectoryException.Reason;
import dev.hato.store.directory.DirectoryException;
import dev.hato.store.directory.Domain;
import dev.hato.store.directory.ImportResult;
import dev.hato.store.directory.ImportRow;
import dev.hato.store.directory.NewAccount;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Domains and accounts in PostgreSQL. Every method is one statement, so nothing is ever half-written — except
 * {@link #importAccounts}, which is a few statements in one transaction.
 */
final class PgDirectory implements Directory {

    private static final String ACCOUNT_COLUMNS = "a.id, a.domain_id, a.address, a.auth_id, a.display_name, "
            + "a.password_hash";

    private static final String FIND_ACCOUNTS = "SELECT " + ACCOUNT_COLUMNS + " FROM account a"
            + " WHERE a.address = ANY($1::text[]) OR a.auth_id = ANY($2::text[])";

    // ORDER BY under FOR UPDATE locks the rows in address order (the sort runs before the locks), so two imports
    // of overlapping files wait for each other instead of deadlocking.
    private static final String LOCK_EXISTING = "SELECT " + ACCOUNT_COLUMNS + " FROM account a"
            + " WHERE a.address = ANY($1::text[]) ORDER BY a.address FOR UPDATE";

    // Text arrays only (r2dbc-postgresql binds them well); a null hash travels as '' since no hash is empty.
    private static final String UPDATE_ACCOUNTS = "UPDATE account a SET display_name = v.display_name,"
            + " password_hash = NULLIF(v.password_hash, '')"
            + " FROM unnest($1::text[], $2::text[], $3::text[]) AS v (address, display_name, password_hash)"
            + " WHERE a.address = v.address";

    /**
     * The mailboxes and subscriptions of a new account, as CTEs that follow a CTE {@code a} of the inserted
     * accounts (id, last_uidvalidity): INBOX and the RFC 6154 special-use mailboxes that clients look for (a
     * client that finds \Sent saves sent mail there instead of creating its own "Sent Items"), all subscribed.
     * Their UIDVALIDITY is the account's creation time in seconds, so a re-created account never reuses an old
     * value; later creates go above it ({@code account.last_uidvalidity}).
     */
    static final String DEFAULT_MAILBOXES = " standard (name, special_use) AS (VALUES ('INBOX', NULL::text),"
            + "  ('Sent', '\\Sent'), ('Drafts', '\\Drafts'), ('Trash', '\\Trash'), ('Junk', '\\Junk'),"
            + "  ('Archive', '\\Archive')),"
            + " boxes AS ("
            + "  INSERT INTO mailbox (account_id, name, uidvalidity, special_use)"
            + "  SELECT a.id, s.name, a.last_uidvalidity, s.special_use FROM a CROSS JOIN standard s),"
            + " subscribed AS ("
            + "  INSERT INTO subscription (account_id, name) SELECT a.id, s.name FROM a CROSS JOIN standard s)";

    // Accounts and their mailboxes in one statement, as addAccount does; the join drops rows of unknown domains,
    // which the caller detects from the count.
    private static final String INSERT_ACCOUNTS = "WITH a AS ("
            + "  INSERT INTO account (domain_id, address, auth_id, display_name, password_hash, last_uidvalidity)"
            + "  SELECT d.id, v.address, v.auth_id, v.display_name, NULLIF(v.password_hash, ''),"
            + "         extract(epoch FROM clock_timestamp())::bigint"
            + "  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])"
            + "       AS v (address, auth_id, display_name, password_hash, domain)"
            + "  JOIN domain d ON d.name = v.domain"
            + "  ORDER BY v.address"
            + "  RETURNING id, last_uidvalidity),"
            + DEFAULT_MAILBOXES
            + " SELECT count(*) AS created FROM a";

    private static final String MISSING_DOMAINS = "SELECT DISTINCT v.name FROM unnest($1::text[]) AS v (name)"
            + " WHERE NOT EXISTS (SELECT 1 FROM domain d WHERE d.name = v.name) ORDER BY v.name";

    private final Database db;

    PgDirectory(Database db) {
        this.db = db;
    }

    @Override
    public Mono<Domain> addDomain(String name) {
        Objects.requireNonNull(name, "name");
        return db.query("INSERT INTO domain (name) VALUES ($1) RETURNING id, name", PgDirectory::domain, name)
                .single()
                .onErrorMap(PgDirectory::isPostgres, e -> translate(e, name, Reason.UNKNOWN_DOMAIN));
    }

    @Override
    public Flux<Domain> domains() {
        return db.query("SELECT id, name FROM domain ORDER BY name", PgDirectory::domain);
    }

    @Override
    public Mono<Void> removeDomain(String name) {
        Objects.requireNonNull(name, "name");
        // The RESTRICT foreign key from account decides "not empty", so a concurrent addAccount cannot slip in
        // between a check and the delete.
        return db.update("DELETE FROM domain WHERE name = $1", name)
                .onErrorMap(PgDirectory::isPostgres, e -> translate(e, name, Reason.DOMAIN_NOT_EMPTY))
                .flatMap(deleted -> deleted == 0
                        ? Mono.error(new DirectoryException(Reason.UNKNOWN_DOMAIN, "no domain " + name))
                        : Mono.empty());
    }

    @Override
    public Mono<Boolean> isLocalDomain(String name) {
        Objects.requireNonNull(name, "name");
        return db.query("SELECT EXISTS (SELECT 1 FROM domain WHERE name = $1) AS local",
                        row -> Database.required(row, "local", Boolean.class), name)
                .single();
    }

    @Override
    public Mono<Account> addAccount(NewAccount account) {
        Objects.requireNonNull(account, "account");
        String address = account.address();
        int at = address.lastIndexOf('@');
        if (at < 1 || at == address.length() - 1) {
            return Mono.error(new IllegalArgumentException("not an address: " + address));
        }
        String domain = address.substring(at + 1);
        // One statement creates the account and its mailboxes (DEFAULT_MAILBOXES): atomic without an explicit
        // transaction.
        String sql = "WITH a AS ("
                + "  INSERT INTO account (domain_id, address, auth_id, display_name, password_hash, last_uidvalidity)"
                + "  SELECT d.id, $1, $2, $3, $4, extract(epoch FROM clock_timestamp())::bigint"
                + "  FROM domain d WHERE d.name = $5"
                + "  RETURNING id, domain_id, address, auth_id, display_name, password_hash, last_uidvalidity),"
                + DEFAULT_MAILBOXES
                + " SELECT " + ACCOUNT_COLUMNS + " FROM a";
        return db.query(sql, PgDirectory::account, address, account.authId(), account.displayName(),
                        Database.nullable(account.passwordHash(), String.class), domain)
                .singleOrEmpty()
                .onErrorMap(PgDirectory::isPostgres,
                        e -> translate(e, address + " / " + account.authId(), Reason.UNKNOWN_DOMAIN))
                .switchIfEmpty(Mono.error(() -> new DirectoryException(Reason.UNKNOWN_DOMAIN,
                        "the domain of " + address + " is not a local domain")));
    }

    @Override
    public Mono<Account> findByAuthId(String authId) {
        Objects.requireNonNull(authId, "authId");
        return db.query("SELECT " + ACCOUNT_COLUMNS + " FROM account a WHERE a.auth_id = $1", PgDirectory::account,
                authId).singleOrEmpty();
    }

    @Override
    public Mono<Account> findByAddress(String address) {
        Objects.requireNonNull(address, "address");
        return db.query("SELECT " + ACCOUNT_COLUMNS + " FROM account a WHERE a.address = $1", PgDirectory::account,
                address).singleOrEmpty();
    }

    @Override
    public Mono<Void> setAddressList(String domain, boolean on) {
        return db.update("UPDATE domain SET address_list = $2 WHERE name = $1", domain, on)
                .flatMap(updated -> updated == 0 ? Mono.error(new DirectoryException(Reason.UNKNOWN_DOMAIN,
                        "no local domain " + domain)) : Mono.empty());
    }

    @Override
    public Mono<Boolean> hasAddressList(String domain) {
        return db.query("SELECT address_list FROM domain WHERE name = $1",
                row -> Database.required(row, "address_list", Boolean.class), domain).next().defaultIfEmpty(false);
    }

    @Override
    public Flux<dev.hato.store.directory.ListedPerson> addressList(String domain, String text, int limit) {
        // LIKE's own characters in the text are matched literally.
        String pattern = "%" + text.toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\").replace("%", "\\%")
                .replace("_", "\\_") + "%";
        return db.query("SELECT a.display_name, a.address FROM account a JOIN domain d ON d.id = a.domain_id"
                        + " WHERE d.name = $1 AND d.address_list"
                        + " AND (lower(a.display_name) LIKE $2 OR a.address LIKE $2)"
                        + " ORDER BY lower(a.display_name), a.address LIMIT $3",
                row -> new dev.hato.store.directory.ListedPerson(Database.required(row, "display_name", String.class),
                        Database.required(row, "address", String.class)), domain, pattern, limit);
    }

    @Override
    public Flux<Account> accounts(@Nullable String domain) {
        if (domain == null) {
            return db.query("SELECT " + ACCOUNT_COLUMNS + " FROM account a ORDER BY a.address", PgDirectory::account);
        }
        return db.query("SELECT " + ACCOUNT_COLUMNS + " FROM account a JOIN domain d ON d.id = a.domain_id"
                + " WHERE d.name = $1 ORDER BY a.address", PgDirectory::account, domain);
    }

    @Override
    public Mono<Void> setPasswordHash(String authId, String passwordHash) {
        Objects.requireNonNull(authId, "authId");
        Objects.requireNonNull(passwordHash, "passwordHash");
        return db.update("UPDATE account SET password_hash = $2 WHERE auth_id = $1", authId, passwordHash)
                .flatMap(updated -> updated == 0
                        ? Mono.error(new DirectoryException(Reason.UNKNOWN_ACCOUNT,
                                "no account with auth ID " + authId))
                        : Mono.empty());
    }

    @Override
    public Mono<Void> removeAccount(String authIdOrAddress) {
        Objects.requireNonNull(authIdOrAddress, "authIdOrAddress");
        // An auth ID match wins over an address match: the auth ID is what identifies a person. Mailboxes,
        // messages and change rows go with the account (ON DELETE CASCADE); blobs stay, they may be shared.
        return db.update("DELETE FROM account WHERE id = (SELECT id FROM account WHERE auth_id = $1 OR address = $1"
                        + " ORDER BY auth_id = $1 DESC LIMIT 1)", authIdOrAddress)
                .flatMap(deleted -> deleted == 0
                        ? Mono.error(new DirectoryException(Reason.UNKNOWN_ACCOUNT,
                                "no account with auth ID or address " + authIdOrAddress))
                        : Mono.empty());
    }

    @Override
    public Flux<Account> findAccounts(Collection<String> addresses, Collection<String> authIds) {
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(authIds, "authIds");
        if (addresses.isEmpty() && authIds.isEmpty()) {
            return Flux.empty();
        }
        return db.query(FIND_ACCOUNTS, PgDirectory::account, addresses.toArray(String[]::new),
                authIds.toArray(String[]::new));
    }

    @Override
    public Mono<ImportResult> importAccounts(List<ImportRow> rows) {
        Objects.requireNonNull(rows, "rows");
        return Mono.defer(() -> {
            List<ImportRow> sorted = checkedImport(rows);
            if (sorted.isEmpty()) {
                return Mono.just(ImportResult.NONE);
            }
            return db.inTransaction(connection -> importBatch(connection, sorted))
                    .single()
                    .onErrorMap(PgDirectory::isPostgres, e -> translate(e, detail(e), Reason.UNKNOWN_DOMAIN));
        });
    }

    /** The rows by address, or IllegalArgumentException for what the caller had to ensure. */
    private static List<ImportRow> checkedImport(List<ImportRow> rows) {
        Set<String> addresses = new HashSet<>();
        Set<String> authIds = new HashSet<>();
        for (ImportRow row : rows) {
            int at = row.address().lastIndexOf('@');
            if (at < 1 || at == row.address().length() - 1) {
                throw new IllegalArgumentException("not an address: " + row.address());
            }
            if (!addresses.add(row.address())) {
                throw new IllegalArgumentException("address twice in one import: " + row.address());
            }
            if (!authIds.add(row.authId())) {
                throw new IllegalArgumentException("auth ID twice in one import: " + row.authId());
            }
        }
        List<ImportRow> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(ImportRow::address));
        return sorted;
    }

    /**
     * Three round trips whatever the batch size: lock the existing accounts, update those that change, insert the
     * new ones with their INBOXes.
     */
    private Mono<ImportResult> importBatch(Connection connection, List<ImportRow> rows) {
        String[] addresses = rows.stream().map(ImportRow::address).toArray(String[]::new);
        return Database.rows(Database.statement(connection, LOCK_EXISTING, (Object) addresses), PgDirectory::account)
                .collectMap(Account::address)
                .flatMap(existing -> {
                    List<ImportRow> created = new ArrayList<>();
                    List<Account> updated = new ArrayList<>();
                    int unchanged = 0;
                    for (ImportRow row : rows) {
                        Account account = existing.get(row.address());
                        if (account == null) {
                            created.add(row);
                            continue;
                        }
                        if (!account.authId().equals(row.authId())) {
                            return Mono.error(new DirectoryException(Reason.DUPLICATE_ADDRESS, "the address "
                                    + row.address() + " belongs to auth ID " + account.authId() + ", not "
                                    + row.authId() + " (auth IDs are never changed)"));
                        }
                        Account changed = applied(account, row);
                        if (changed.equals(account)) {
                            unchanged++;
                        } else {
                            updated.add(changed);
                        }
                    }
                    ImportResult result = new ImportResult(created.size(), updated.size(), unchanged);
                    return update(connection, updated)
                            .then(insert(connection, created))
                            .thenReturn(result);
                });
    }

    private static Account applied(Account account, ImportRow row) {
        String name = row.displayName() == null ? account.displayName() : row.displayName();
        String hash = switch (row.password()) {
            case KEEP -> account.passwordHash();
            case SET -> row.passwordHash();
            case CLEAR -> null;
        };
        return new Account(account.id(), account.domainId(), account.address(), account.authId(), name, hash);
    }

    private static Mono<Void> update(Connection connection, List<Account> accounts) {
        if (accounts.isEmpty()) {
            return Mono.empty();
        }
        return Database.rowsUpdated(Database.statement(connection, UPDATE_ACCOUNTS,
                        accounts.stream().map(Account::address).toArray(String[]::new),
                        accounts.stream().map(Account::displayName).toArray(String[]::new),
                        accounts.stream().map(a -> a.passwordHash() == null ? "" : a.passwordHash())
                                .toArray(String[]::new)))
                .flatMap(count -> count == accounts.size() ? Mono.<Void>empty()
                        : Mono.error(new IllegalStateException("updated " + count + " of " + accounts.size()
                                + " locked accounts")));
    }

    private static Mono<Void> insert(Connection connection, List<ImportRow> rows) {
        if (rows.isEmpty()) {
            return Mono.empty();
        }
        String[] domains = rows.stream().map(row -> row.address().substring(row.address().lastIndexOf('@') + 1))
                .toArray(String[]::new);
        return Database.rows(Database.statement(connection, INSERT_ACCOUNTS,
                                rows.stream().map(ImportRow::address).toArray(String[]::new),
                                rows.stream().map(ImportRow::authId).toArray(String[]::new),
                                rows.stream().map(row -> row.displayName() == null ? "" : row.displayName())
                                        .toArray(String[]::new),
                                rows.stream().map(row -> row.passwordHash() == null ? "" : row.passwordHash())
                                        .toArray(String[]::new),
                                domains),
                        row -> Database.required(row, "created", Long.class))
                .single()
                .flatMap(created -> created == rows.size() ? Mono.<Void>empty()
                        // Rows of unknown domains were dropped by the join: name them, then fail the batch.
                        : Database.rows(Database.statement(connection, MISSING_DOMAINS, (Object) domains),
                                        row -> Database.required(row, "name", String.class))
                                .collectList()
                                .flatMap(missing -> Mono.error(new DirectoryException(Reason.UNKNOWN_DOMAIN,
                                        "not a local domain: " + String.join(", ", missing)))));
    }

    /** PostgreSQL's "Key (auth_id)=(x) already exists." names the row; the constraint alone does not. */
    private static String detail(Throwable error) {
        return ((PostgresqlException) error).getErrorDetails().getDetail().orElse("an imported account");
    }

    private static boolean isPostgres(Throwable e) {
        return e instanceof PostgresqlException;
    }

    /**
     * Maps the constraint a statement violated to the directory rule it stands for. The only foreign key a
     * directory statement can violate is account → domain; what that means depends on the statement:
     * {@code DOMAIN_NOT_EMPTY} when deleting a domain, {@code UNKNOWN_DOMAIN} when the domain went away while
     * an account was being added.
     */
    static Throwable translate(Throwable error, String subject, Reason onForeignKey) {
        var details = ((PostgresqlException) error).getErrorDetails();
        String constraint = details.getConstraintName().orElse("");
        DirectoryException mapped = switch (constraint) {
            case "domain_name_key" -> new DirectoryException(Reason.DUPLICATE_DOMAIN,
                    "the domain already exists: " + subject);
            case "account_address_key" -> new DirectoryException(Reason.DUPLICATE_ADDRESS,
                    "the address is taken: " + subject);
            case "account_auth_id_key" -> new DirectoryException(Reason.DUPLICATE_AUTH_ID,
                    "the auth ID is taken: " + subject);
            case "account_domain_fkey" -> new DirectoryException(onForeignKey,
                    onForeignKey == Reason.DOMAIN_NOT_EMPTY ? "the domain still has accounts: " + subject
                            : "the domain was removed meanwhile: " + subject);
            default -> null;
        };
        if (mapped != null) {
            mapped.initCause(error);
            return mapped;
        }
        if ("23514".equals(details.getCode())) {
            // A CHECK constraint: the caller passed something not normalised (upper case, empty).
            return new IllegalArgumentException(subject + " violates " + constraint, error);
        }
        return error;
    }

    private static Domain domain(Readable row) {
        return new Domain(Database.required(row, "id", Long.class), Database.required(row, "name", String.class));
    }

    private static Account account(Readable row) {
        return new Account(Database.required(row, "id", Long.class),
                Database.required(row, "domain_id", Long.class),
                Database.required(row, "address", String.class),
                Database.required(row, "auth_id", String.class),
                Database.required(row, "display_name", String.class),
                row.get("password_hash", String.class));
    }

    @Override
    public Mono<java.util.Map<String, String>> settings(long accountId) {
        return db.query("SELECT name, value FROM account_setting WHERE account_id = $1",
                        row -> java.util.Map.entry(Database.required(row, "name", String.class),
                                Database.required(row, "value", String.class)), accountId)
                .collectMap(java.util.Map.Entry::getKey, java.util.Map.Entry::getValue);
    }

    @Override
    public Mono<Void> setSetting(long accountId, String name, @org.jspecify.annotations.Nullable String value) {
        if (!name.matches("[a-z][a-z0-9.-]{0,63}") || value != null && value.length() > 1000) {
            return Mono.error(new IllegalArgumentException("not a setting: " + name));
        }
        if (value == null) {
            return db.update("DELETE FROM account_setting WHERE account_id = $1 AND name = $2", accountId, name)
                    .then();
        }
        return db.update("INSERT INTO account_setting (account_id, name, value) VALUES ($1, $2, $3)"
                + " ON CONFLICT (account_id, name) DO UPDATE SET value = EXCLUDED.value", accountId, name, value).then();
    }
}
