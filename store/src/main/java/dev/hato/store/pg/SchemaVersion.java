package dev.hato.store.pg;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The schema version this code is written for, and the check an administrative command makes instead of migrating.
 * The server migrates (Flyway, at {@link PgStore#open}); a {@code hato} command attached to a running server or to
 * an external database only reads {@code flyway_schema_history}, which costs one query instead of Flyway's start-up,
 * and refuses to work on a schema older than its own code rather than change it under a running server.
 */
final class SchemaVersion {

    /**
     * The highest migration in {@code db/migration}. Raise it with every new {@code V<n>__*.sql}; SchemaVersionTest
     * fails until it matches the files.
     */
    static final int LATEST = 26;

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String UNDEFINED_TABLE = "42P01";

    private SchemaVersion() { }

    /** The highest successfully applied migration, or 0 when the database has no Hato schema yet. */
    static int applied(Database db) {
        List<String> versions;
        try {
            versions = db.query("SELECT version FROM flyway_schema_history WHERE success AND version IS NOT NULL",
                    row -> Objects.requireNonNull(row.get(0, String.class))).collectList().block(TIMEOUT);
        } catch (io.r2dbc.spi.R2dbcException e) {
            if (UNDEFINED_TABLE.equals(e.getSqlState())) {
                return 0;
            }
            throw e;
        }
        int highest = 0;
        for (String version : versions == null ? List.<String>of() : versions) {
            highest = Math.max(highest, major(version));
        }
        return highest;
    }

    /** Throws IllegalStateException, saying what to do, when the schema is older than {@link #LATEST}. */
    static void requireCurrent(Database db) {
        int applied = applied(db);
        if (applied == 0) {
            throw new IllegalStateException("the database has no Hato schema yet: start `hato serve` once (it"
                    + " creates the schema), then run this command again");
        }
        if (applied < LATEST) {
            throw new IllegalStateException("the database schema is at version " + applied + " but this hato needs"
                    + " version " + LATEST + ": start (or restart) `hato serve` of this version, which migrates it,"
                    + " then run this command again");
        }
    }

    private static int major(String version) {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
