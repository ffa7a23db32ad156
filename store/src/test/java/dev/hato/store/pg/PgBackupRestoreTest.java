package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PgBackup} and {@link PgRestore} between two real embedded PostgreSQL clusters: values COPY's text format
 * must escape survive, sequences go on where they were, and every way a restore must refuse (rows already there,
 * a damaged or cut-short archive, a schema this Hato does not know, a data directory a running server uses) leaves
 * the target as it was. The whole drill through Hato's protocols is RestoreDrillTest in the gateway.
 */
class PgBackupRestoreTest {

    @RegisterExtension
    static final EmbeddedStore SOURCE = new EmbeddedStore();

    private static final String ODD_DOMAIN = "タブ\tnew\nline\\back.slash.test";

    private static byte[] archive;

    @TempDir
    Path target;

    @BeforeAll
    static void fillAndBackUp() {
        PgStore store = SOURCE.store();
        TestSql.rows(store, "INSERT INTO domain (name) VALUES ($1), ('b.test')", ODD_DOMAIN);
        TestSql.rows(store, "INSERT INTO alias (address, domain_id, targets) SELECT 'team@b.test', id,"
                + " ARRAY['a,b\"c@x.test', 'NULL', E'back\\\\slash@x.test'] FROM domain WHERE name = 'b.test'");
        TestSql.rows(store, "INSERT INTO blob (sha256, size) VALUES (sha256('all bytes'::bytea), 256)");
        TestSql.rows(store, "INSERT INTO blob_chunk (blob_id, seq, data) SELECT (SELECT max(id) FROM blob), 0,"
                + " decode(string_agg(lpad(to_hex(i), 2, '0'), '' ORDER BY i), 'hex') FROM generate_series(0, 255) i");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // The source's server runs (this JVM started it for the store): the backup attaches to it.
        PgBackup.Summary summary = PgBackup.write(StoreSettings.defaults(SOURCE.dataDirectory()), out);
        assertThat(summary.rows()).containsEntry("domain", 2L).containsEntry("alias", 1L)
                .containsEntry("blob_chunk", 1L);
        archive = out.toByteArray();
    }

    @Test
    void aRestoreShouldBringBackEveryValueAndTheSequences() {
        PgRestore.Summary summary = restore(archive, false);
        assertThat(summary.replacedRows()).isFalse();
        assertThat(summary.rows()).containsEntry("domain", 2L).containsEntry("alias", 1L);
        try (PgStore restored = PgStore.open(StoreSettings.defaults(target))) {
            for (String query : List.of("SELECT id, name FROM domain ORDER BY id",
                    "SELECT address, domain_id, targets, created_at FROM alias",
                    "SELECT id, sha256, size, created_at FROM blob",
                    "SELECT blob_id, seq, data FROM blob_chunk")) {
                assertThat(text(TestSql.rows(restored, query))).as(query)
                        .isEqualTo(text(TestSql.rows(SOURCE.store(), query)));
            }
            assertThat(TestSql.count(restored, "SELECT count(*) FROM domain WHERE name = $1", ODD_DOMAIN))
                    .isEqualTo(1);
            // The sequence came back: a new domain takes an id after the restored ones, not one of theirs.
            long max = TestSql.count(restored, "SELECT max(id) FROM domain");
            assertThat(TestSql.count(restored, "INSERT INTO domain (name) VALUES ('c.test') RETURNING id"))
                    .isGreaterThan(max);
        }
    }

    @Test
    void aDatabaseWithRowsShouldBeRefusedUnlessForcedAndThenReplaced() {
        restore(archive, false);
        try (PgStore restored = PgStore.open(StoreSettings.defaults(target))) {
            TestSql.rows(restored, "INSERT INTO domain (name) VALUES ('extra.test')");
        }
        assertThatThrownBy(() -> restore(archive, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the database is not empty (rows in ").hasMessageContaining("--force");
        assertThat(restore(archive, true).replacedRows()).isTrue();
        try (PgStore restored = PgStore.open(StoreSettings.defaults(target))) {
            assertThat(TestSql.count(restored, "SELECT count(*) FROM domain")).isEqualTo(2);
            assertThat(TestSql.count(restored, "SELECT count(*) FROM domain WHERE name = 'extra.test'")).isZero();
        }
    }

    @Test
    void aDamagedOrIncompleteArchiveShouldLoadNothing() throws Exception {
        // Cut inside an entry, in the middle of the tables (a cut only through the ZIP's central directory at the
        // very end loses nothing: every entry and the row counts are read before it, and checked; a cut exactly
        // between two entries is "incomplete").
        byte[] cut = Arrays.copyOf(archive, insideEntry(archive, "-blob_chunk.copy", 40));
        assertThatThrownBy(() -> restore(cut, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the backup is cut short");
        byte[] flipped = archive.clone();
        flipped[insideEntry(archive, "-blob_chunk.copy", 5)] ^= 0x55;
        assertThatThrownBy(() -> restore(flipped, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the backup is damaged");
        byte[] fewerRows = rewrite(archive, BackupManifest.ROWS_ENTRY,
                text -> text.replace("domain=2", "domain=3"));
        assertThatThrownBy(() -> restore(fewerRows, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("table domain had 3 rows when written, 2 were read back");
        assertThatThrownBy(() -> restore("not a zip".getBytes(StandardCharsets.UTF_8), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Hato backup");
        // After all of that the database is still empty: the next restore needs no --force.
        assertThat(restore(archive, false).rows()).containsEntry("domain", 2L);
    }

    @Test
    void aBackupFromANewerSchemaShouldBeRefused() throws Exception {
        byte[] newer = rewrite(archive, BackupManifest.ENTRY,
                text -> text.replaceFirst("schema-version=\\S+", "schema-version=9999"));
        assertThatThrownBy(() -> restore(newer, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("the backup was written at schema version 9999 but this Hato's migrations"
                        + " reach ");
    }

    @Test
    void aDataDirectoryARunningServerUsesShouldBeRefused() {
        assertThatThrownBy(() -> PgRestore.read(StoreSettings.defaults(SOURCE.dataDirectory()),
                new ByteArrayInputStream(archive), true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("a running Hato uses this data");
        assertThat(TestSql.count(SOURCE.store(), "SELECT count(*) FROM domain")).isEqualTo(2);
    }

    @Test
    void anExternalServerShouldBeRestoredIntoAndBackedUpFromByUrl() throws Exception {
        // A PostgreSQL Hato did not start, reached through hato.store.url as an operator's server would be.
        try (EmbeddedPostgres external = EmbeddedPostgres.builder().setDataDirectory(target.resolve("external"))
                .setServerConfig("listen_addresses", "127.0.0.1").start()) {
            StoreSettings settings = StoreSettings.defaults(target)
                    .withUrl("r2dbc:postgresql://127.0.0.1:" + external.getPort() + "/postgres")
                    .withUsername("postgres");
            assertThat(PgRestore.read(settings, new ByteArrayInputStream(archive), false).target())
                    .startsWith("PostgreSQL at r2dbc:postgresql://127.0.0.1:");
            ByteArrayOutputStream again = new ByteArrayOutputStream();
            PgBackup.Summary summary = PgBackup.write(settings, again);
            assertThat(summary.rows()).containsEntry("domain", 2L).containsEntry("alias", 1L)
                    .containsEntry("blob_chunk", 1L);
            assertThat(target.resolve("postgres")).doesNotExist(); // no embedded server was started
        }
    }

    private PgRestore.Summary restore(byte[] bytes, boolean force) {
        return PgRestore.read(StoreSettings.defaults(target), new ByteArrayInputStream(bytes), force);
    }

    private static String text(List<List<Object>> rows) {
        return rows.stream().map(row -> row.stream().map(value -> value instanceof java.nio.ByteBuffer buffer
                ? java.util.HexFormat.of().formatHex(buffer.array()) : value instanceof Object[] array
                ? Arrays.toString(array) : String.valueOf(value)).toList().toString()).toList().toString();
    }

    /** The index of the {@code offset}th byte of the stored data of the first entry whose name ends so. */
    private static int insideEntry(byte[] zip, String nameEnd, int offset) {
        String latin = new String(zip, StandardCharsets.ISO_8859_1);
        int nameEndsAt = latin.indexOf(nameEnd) + nameEnd.length();
        int headerAt = latin.lastIndexOf("PK\u0003\u0004", nameEndsAt);
        int extra = (zip[headerAt + 28] & 0xff) | (zip[headerAt + 29] & 0xff) << 8;
        return nameEndsAt + extra + offset;
    }

    /** The archive with one entry's text changed, everything else as it was. */
    private static byte[] rewrite(byte[] zip, String name, java.util.function.UnaryOperator<String> change)
            throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip));
             ZipOutputStream rewritten = new ZipOutputStream(out)) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                if (entry.getName().equals(name)) {
                    content = change.apply(new String(content, StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8);
                }
                rewritten.putNextEntry(new ZipEntry(entry.getName()));
                rewritten.write(content);
                rewritten.closeEntry();
            }
        }
        return out.toByteArray();
    }
}
