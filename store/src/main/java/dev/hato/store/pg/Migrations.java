package dev.hato.store.pg;

import java.util.Arrays;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.output.MigrateResult;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Flyway schema ({@code db/migration}): brought up to date when a store opens, and, for a restore, brought to
 * exactly the version a backup was written at, so that its rows load into the tables they came from.
 */
final class Migrations {

    private static final Logger log = LoggerFactory.getLogger(Migrations.class);

    /** Flyway's default history table, which backups leave out: the restore's own migrations write it. */
    static final String HISTORY_TABLE = "flyway_schema_history";

    private Migrations() { }

    /** Applies every migration not applied yet. Several processes at once are serialised by Flyway's lock. */
    static void migrate(ServerAddress address) {
        run(address, null);
    }

    /** Applies the migrations up to and including {@code version}, no further. */
    static void migrateTo(ServerAddress address, String version) {
        run(address, MigrationVersion.fromVersion(version));
    }

    /** The version the database's schema is at, or empty for a database Hato has never migrated. */
    static Optional<String> current(ServerAddress address) {
        MigrationInfo current = flyway(address, null).info().current();
        return current == null || current.getVersion() == null ? Optional.empty()
                : Optional.of(current.getVersion().getVersion());
    }

    /** The newest migration this build of Hato carries (whatever the database has applied). */
    static String latestKnown(ServerAddress address) {
        return Arrays.stream(flyway(address, null).info().all())
                .filter(info -> info.getState().isResolved() && info.getVersion() != null)
                .map(info -> info.getVersion())
                .max(MigrationVersion::compareTo)
                .map(MigrationVersion::getVersion)
                .orElse("none");
    }

    /** Negative, zero or positive as version {@code a} is older than, the same as or newer than {@code b}. */
    static int compare(String a, String b) {
        return MigrationVersion.fromVersion(a).compareTo(MigrationVersion.fromVersion(b));
    }

    private static void run(ServerAddress address, @Nullable MigrationVersion target) {
        // Flyway speaks JDBC only; it runs before any reactive code touches the database.
        MigrateResult result = flyway(address, target).migrate();
        if (result.migrationsExecuted > 0) {
            log.info("schema migrated to version {} ({} migrations)", result.targetSchemaVersion,
                    result.migrationsExecuted);
        }
    }

    private static Flyway flyway(ServerAddress address, @Nullable MigrationVersion target) {
        var configuration = Flyway.configure(PgStore.class.getClassLoader())
                .dataSource(address.jdbcUrl(), address.username(), address.password())
                .locations("classpath:db/migration")
                .table(HISTORY_TABLE)
                .connectRetries(3);
        if (target != null) {
            configuration.target(target);
        }
        return configuration.load();
    }
}
