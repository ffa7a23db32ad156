package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An administrative command's store ({@link PgStore#openForAdministration}) checks the schema version instead of
 * migrating, and refuses a schema older than the code; the version it expects is the newest migration file.
 */
class SchemaVersionTest {

    @TempDir
    Path data;

    @Test
    void theLatestVersionShouldBeTheNewestMigrationFile() throws IOException {
        Pattern name = Pattern.compile("V(\\d+)__.*\\.sql");
        int newest;
        try (Stream<Path> files = Files.list(Path.of("src/main/resources/db/migration"))) {
            newest = files.map(file -> name.matcher(file.getFileName().toString())).filter(Matcher::matches)
                    .mapToInt(match -> Integer.parseInt(match.group(1))).max().orElseThrow();
        }
        assertThat(SchemaVersion.LATEST).as("SchemaVersion.LATEST").isEqualTo(newest);
    }

    @Test
    void anAdministrativeOpenShouldCheckAndRefuseASchemaBehindTheCode() {
        try (PgStore server = PgStore.open(StoreSettings.defaults(data))) {
            server.directory().addDomain("schema.example").block();
            String url = "r2dbc:postgresql://postgres@127.0.0.1:" + port(server) + "/postgres";
            StoreSettings viaUrl = StoreSettings.defaults(data.resolve("unused")).withUrl(url);

            try (PgStore attached = PgStore.openForAdministration(StoreSettings.defaults(data))) {
                assertThat(attached.describe()).contains("attached to the running server");
                assertThat(attached.directory().isLocalDomain("schema.example").block()).isTrue();
            }
            try (PgStore external = PgStore.openForAdministration(viaUrl)) {
                assertThat(SchemaVersion.applied(new Database(external.connections())))
                        .isEqualTo(SchemaVersion.LATEST);
            }

            TestSql.rows(server, "UPDATE flyway_schema_history SET success = false WHERE version = $1",
                    String.valueOf(SchemaVersion.LATEST));
            assertThatThrownBy(() -> PgStore.openForAdministration(viaUrl))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("schema is at version " + (SchemaVersion.LATEST - 1))
                    .hasMessageContaining("`hato serve`");
            TestSql.rows(server, "UPDATE flyway_schema_history SET success = true WHERE version = $1",
                    String.valueOf(SchemaVersion.LATEST));

            TestSql.rows(server, "ALTER TABLE flyway_schema_history RENAME TO flyway_history_aside");
            assertThatThrownBy(() -> PgStore.openForAdministration(viaUrl))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no Hato schema yet");
            TestSql.rows(server, "ALTER TABLE flyway_history_aside RENAME TO flyway_schema_history");
        }
    }

    @Test
    void anAdministrativeOpenThatStartsTheEmbeddedServerItselfShouldMigrateIt() {
        try (PgStore alone = PgStore.openForAdministration(StoreSettings.defaults(data))) {
            assertThat(alone.describe()).doesNotContain("attached");
            assertThat(SchemaVersion.applied(new Database(alone.connections()))).isEqualTo(SchemaVersion.LATEST);
            alone.directory().addDomain("alone.example").block();
        }
    }

    private static String port(PgStore store) {
        return (String) TestSql.rows(store, "SELECT current_setting('port')").get(0).get(0);
    }
}
