package dev.hato.store.pg;

import dev.hato.store.sieve.SieveScript;
import dev.hato.store.sieve.SieveScriptException;
import dev.hato.store.sieve.SieveScriptException.Reason;
import dev.hato.store.sieve.SieveScripts;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Scripts in {@code sieve_script}. "At most one active" is a partial unique index; every change that moves the active
 * mark or counts scripts first locks the account's row, so two changes of one person's scripts run one after the
 * other and the limit on their number holds.
 */
final class PgSieveScripts implements SieveScripts {

    private static final String COLUMNS = "account_id, name, content, active, updated_at";

    private static final String LOCK_ACCOUNT = "SELECT id FROM account WHERE id = $1 FOR NO KEY UPDATE";

    private static final String VACATION = "INSERT INTO vacation_response AS v (account_id, sender, handle, until)"
            + " VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, sender, handle)"
            + " DO UPDATE SET until = excluded.until WHERE v.until <= $5 RETURNING true AS due";

    private final Database db;

    PgSieveScripts(Database db) {
        this.db = db;
    }

    @Override
    public Flux<SieveScript> list(long accountId) {
        return db.query("SELECT " + COLUMNS + " FROM sieve_script WHERE account_id = $1 ORDER BY name",
                PgSieveScripts::script, accountId);
    }

    @Override
    public Mono<SieveScript> get(long accountId, String name) {
        return db.query("SELECT " + COLUMNS + " FROM sieve_script WHERE account_id = $1 AND name = $2",
                PgSieveScripts::script, accountId, name).singleOrEmpty();
    }

    @Override
    public Mono<Void> put(long accountId, String name, String content) {
        if (!SieveScripts.validName(name)) {
            return Mono.error(badName(name));
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > MAX_SCRIPT_OCTETS) {
            return Mono.error(new SieveScriptException(Reason.QUOTA,
                    "a script may have at most " + MAX_SCRIPT_OCTETS + " octets"));
        }
        return db.inTransaction(connection -> lockAccount(connection, accountId)
                        .then(count(connection, accountId, name))
                        .flatMap(others -> others >= MAX_SCRIPTS
                                ? Mono.error(new SieveScriptException(Reason.QUOTA,
                                        "a person may keep at most " + MAX_SCRIPTS + " scripts"))
                                : Database.rowsUpdated(Database.statement(connection,
                                        "INSERT INTO sieve_script (account_id, name, content) VALUES ($1, $2, $3)"
                                                + " ON CONFLICT (account_id, name) DO UPDATE"
                                                + " SET content = excluded.content, updated_at = now()",
                                        accountId, name, content))))
                .then();
    }

    /** How many scripts the person has besides one named {@code name}. */
    private static Mono<Long> count(Connection connection, long accountId, String name) {
        return Database.rows(Database.statement(connection,
                        "SELECT count(*) AS n FROM sieve_script WHERE account_id = $1 AND name <> $2",
                        accountId, name), row -> Database.required(row, "n", Long.class))
                .single();
    }

    @Override
    public Mono<Void> activate(long accountId, @Nullable String name) {
        return db.inTransaction(connection -> lockAccount(connection, accountId)
                        .then(Database.rowsUpdated(Database.statement(connection,
                                "UPDATE sieve_script SET active = false WHERE account_id = $1 AND active"
                                        + " AND name IS DISTINCT FROM $2", accountId,
                                Database.nullable(name, String.class))))
                        .then(name == null ? Mono.<Void>empty() : Database.rowsUpdated(Database.statement(connection,
                                        "UPDATE sieve_script SET active = true WHERE account_id = $1 AND name = $2",
                                        accountId, name))
                                .flatMap(updated -> updated == 0 ? Mono.error(nonexistent(name)) : Mono.empty())))
                .then();
    }

    @Override
    public Mono<Void> delete(long accountId, String name) {
        return db.inTransaction(connection -> lockAccount(connection, accountId)
                        .then(Database.rows(Database.statement(connection,
                                "DELETE FROM sieve_script WHERE account_id = $1 AND name = $2 AND NOT active"
                                        + " RETURNING name", accountId, name), row -> true).hasElements())
                        .flatMap(deleted -> deleted ? Mono.<Void>empty() : get(connection, accountId, name)
                                .flatMap(script -> Mono.<Void>error(new SieveScriptException(Reason.ACTIVE,
                                        "the script " + name + " is active; deactivate it first")))
                                .switchIfEmpty(Mono.error(nonexistent(name)))))
                .then();
    }

    @Override
    public Mono<Void> rename(long accountId, String oldName, String newName) {
        if (!SieveScripts.validName(newName)) {
            return Mono.error(badName(newName));
        }
        return db.inTransaction(connection -> lockAccount(connection, accountId)
                        .then(get(connection, accountId, newName).hasElement())
                        .flatMap(taken -> taken && !oldName.equals(newName)
                                ? Mono.error(new SieveScriptException(Reason.ALREADY_EXISTS,
                                        "a script named " + newName + " exists already"))
                                : Database.rowsUpdated(Database.statement(connection,
                                                "UPDATE sieve_script SET name = $3, updated_at = now()"
                                                        + " WHERE account_id = $1 AND name = $2",
                                                accountId, oldName, newName))
                                        .flatMap(updated -> updated == 0 ? Mono.error(nonexistent(oldName))
                                                : Mono.empty())))
                .then();
    }

    @Override
    public Mono<Map<Long, SieveScript>> active(Collection<Long> accountIds) {
        if (accountIds.isEmpty()) {
            return Mono.just(Map.of());
        }
        return db.query("SELECT " + COLUMNS + " FROM sieve_script WHERE account_id = ANY($1) AND active",
                        PgSieveScripts::script, (Object) accountIds.toArray(Long[]::new))
                .collectMap(SieveScript::accountId);
    }

    @Override
    public Mono<Boolean> vacationDue(long accountId, String sender, String handle, Instant now, Duration period) {
        // Expired records of this person go first (they are only ever read for the pair at hand), so the table
        // holds one row per correspondent within the period, not every sender ever answered.
        return db.inTransaction(connection -> Database.rowsUpdated(Database.statement(connection,
                                "DELETE FROM vacation_response WHERE account_id = $1 AND until <= $2"
                                        + " AND (sender, handle) <> ($3, $4)", accountId, now, sender, handle))
                        .thenMany(Database.rows(Database.statement(connection, VACATION, accountId, sender, handle,
                                now.plus(period), now), row -> true)))
                .hasElements();
    }

    @Override
    public Mono<Boolean> firstFailure(long accountId, String digest) {
        return db.query("INSERT INTO sieve_failure_notice (account_id, digest) VALUES ($1, $2)"
                        + " ON CONFLICT DO NOTHING RETURNING true AS first", row -> true, accountId, digest)
                .hasElements();
    }

    private static Mono<Void> lockAccount(Connection connection, long accountId) {
        return Database.rows(Database.statement(connection, LOCK_ACCOUNT, accountId), row -> true)
                .hasElements()
                .flatMap(found -> found ? Mono.<Void>empty() : Mono.error(new SieveScriptException(
                        Reason.NONEXISTENT, "no account with ID " + accountId)));
    }

    private static Mono<SieveScript> get(Connection connection, long accountId, String name) {
        return Database.rows(Database.statement(connection, "SELECT " + COLUMNS
                + " FROM sieve_script WHERE account_id = $1 AND name = $2", accountId, name), PgSieveScripts::script)
                .singleOrEmpty();
    }

    private static SieveScriptException nonexistent(String name) {
        return new SieveScriptException(Reason.NONEXISTENT, "there is no script named " + name);
    }

    private static SieveScriptException badName(String name) {
        return new SieveScriptException(Reason.BAD_NAME, "a script name has 1 to " + MAX_NAME_LENGTH
                + " characters, none of them a control character or a slash: " + name.length() + " characters given");
    }

    private static SieveScript script(Readable row) {
        return new SieveScript(Database.required(row, "account_id", Long.class),
                Database.required(row, "name", String.class), Database.required(row, "content", String.class),
                Database.required(row, "active", Boolean.class), Database.required(row, "updated_at", Instant.class));
    }
}
