package dev.hato.store.pg;

import dev.hato.store.Account;
import dev.hato.store.Directory;
import dev.hato.store.DirectoryException;
import dev.hato.store.DirectoryException.Reason;
import dev.hato.store.Domain;
import dev.hato.store.NewAccount;
import io.r2dbc.postgresql.api.PostgresqlException;
import io.r2dbc.spi.Readable;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Domains and accounts in PostgreSQL. Every method is one statement, so nothing is ever half-written. */
final class PgDirectory implements Directory {

    private static final String ACCOUNT_COLUMNS = "a.id, a.domain_id, a.address, a.auth_id, a.display_name, "
            + "a.password_hash";

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
        // One statement creates the account and its INBOX: atomic without an explicit transaction. The INBOX's
        // UIDVALIDITY is the creation time in seconds, so a re-created account never reuses the old value.
        String sql = "WITH a AS ("
                + "  INSERT INTO account (domain_id, address, auth_id, display_name, password_hash)"
                + "  SELECT d.id, $1, $2, $3, $4 FROM domain d WHERE d.name = $5"
                + "  RETURNING id, domain_id, address, auth_id, display_name, password_hash),"
                + " inbox AS ("
                + "  INSERT INTO mailbox (account_id, name, uidvalidity)"
                + "  SELECT id, 'INBOX', extract(epoch FROM clock_timestamp())::bigint FROM a)"
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
}
