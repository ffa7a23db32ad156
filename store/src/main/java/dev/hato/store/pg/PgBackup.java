package dev.hato.store.pg;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * A logical backup of Hato's database with no program but Hato itself: the PostgreSQL binaries embedded in Hato
 * carry no {@code pg_dump}, and a client older than the server cannot dump it. Every table is copied out with COPY
 * inside one read-only REPEATABLE READ transaction, so the archive is one consistent snapshot taken while Hato keeps
 * running (the same guarantee {@code pg_dump} gives), and streamed into a ZIP archive ({@link BackupManifest}).
 *
 * <p>Works against the embedded server (attached while the server runs, or started for the backup) and an
 * external PostgreSQL alike.
 */
public final class PgBackup {

    private PgBackup() { }

    /** What was written. */
    public record Summary(String schemaVersion, Map<String, Long> rows, String source) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Writes the whole database to {@code out} as one snapshot. Blocks for as long as the copy takes; never call it
     * on an event loop. {@code out} is finished as a ZIP archive but not closed.
     *
     * @throws IllegalStateException when the database cannot be reached or has no Hato schema
     */
    public static Summary write(StoreSettings settings, OutputStream out) {
        try (JdbcSession session = JdbcSession.open(settings)) {
            Connection connection = session.connection();
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                Summary summary = write(connection, out, session.describe());
                connection.commit();
                return summary;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("backup failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("backup failed: " + e.getMessage(), e);
        }
    }

    private static Summary write(Connection connection, OutputStream out, String source)
            throws SQLException, IOException {
        List<SchemaCatalog.Table> tables = SchemaCatalog.tables(connection);
        // No migration may change a table while it is copied: the weakest lock, the one pg_dump takes. The
        // snapshot itself is fixed by the first statement of the transaction, the catalog query above.
        try (Statement statement = connection.createStatement()) {
            for (SchemaCatalog.Table table : tables) {
                statement.execute("LOCK TABLE " + SchemaCatalog.quote(table.name()) + " IN ACCESS SHARE MODE");
            }
        }
        String version = SchemaCatalog.schemaVersion(connection).orElseThrow(() -> new IllegalStateException(
                "the database has no Hato schema (no " + Migrations.HISTORY_TABLE + "); nothing to back up"));
        BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT, version, Instant.now().toString(),
                serverVersion(connection), tables, SchemaCatalog.sequences(connection));

        ZipOutputStream zip = new ZipOutputStream(new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush(); // the caller owns the stream
            }
        }, StandardCharsets.UTF_8);
        zip.putNextEntry(new ZipEntry(BackupManifest.ENTRY));
        manifest.write(zip);
        zip.closeEntry();

        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        Map<String, Long> rows = new LinkedHashMap<>();
        OutputStream entry = new FilterOutputStream(zip) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                zip.write(b, off, len);
            }

            @Override
            public void close() {
                // each table's entry is closed by closeEntry, the archive by finish
            }
        };
        int index = 0;
        for (SchemaCatalog.Table table : tables) {
            zip.putNextEntry(new ZipEntry(BackupManifest.dataEntry(++index, table.name())));
            rows.put(table.name(), copy.copyOut("COPY " + table.copyTarget() + " TO STDOUT", entry));
            zip.closeEntry();
        }
        zip.putNextEntry(new ZipEntry(BackupManifest.ROWS_ENTRY));
        StringBuilder counts = new StringBuilder();
        rows.forEach((table, count) -> counts.append(table).append('=').append(count).append('\n'));
        zip.write(counts.toString().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
        zip.finish();
        zip.flush();
        return new Summary(version, rows, source);
    }

    private static String serverVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT current_setting('server_version')")) {
            row.next();
            return "PostgreSQL " + row.getString(1);
        }
    }
}
