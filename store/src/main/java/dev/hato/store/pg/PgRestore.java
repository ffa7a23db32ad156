package dev.hato.store.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * Loads a {@link PgBackup} archive into an empty database: migrates it to exactly the schema version the backup was
 * written at, copies every table back in one transaction (so a failed or interrupted restore leaves nothing
 * half-loaded), sets the sequences, checks every table's row count against the archive's, commits, and only then
 * applies the migrations this Hato has beyond the backup's, as an upgrade would.
 *
 * <p>Refuses a database that already holds rows unless forced (then they are deleted first, inside the same
 * transaction), a database whose schema is newer than the backup's, and an embedded data directory a running Hato
 * is using.
 */
public final class PgRestore {

    private static final int COPY_BUFFER = 1 << 16;

    private PgRestore() { }

    /** What was loaded. */
    public record Summary(String schemaVersion, String migratedTo, Map<String, Long> rows, String target,
                          boolean replacedRows) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Restores the archive read from {@code in} (not closed). Blocks for as long as the load takes.
     *
     * @param force delete the rows the database already holds instead of refusing to restore over them
     * @throws IllegalStateException  when the database refuses, is not empty, or does not match the backup
     * @throws IllegalArgumentException when {@code in} is not a Hato backup, or is damaged or incomplete
     */
    public static Summary read(StoreSettings settings, InputStream in, boolean force) {
        ZipInputStream zip = new ZipInputStream(in, StandardCharsets.UTF_8);
        try {
            ZipEntry first = zip.getNextEntry();
            if (first == null || !first.getName().equals(BackupManifest.ENTRY)) {
                throw new IllegalArgumentException("not a Hato backup: it does not start with "
                        + BackupManifest.ENTRY);
            }
            BackupManifest manifest = BackupManifest.read(zip);
            try (JdbcSession session = JdbcSession.open(settings)) {
                if (session.attachedToRunningServer()) {
                    throw new IllegalStateException("a running Hato uses this data directory (" + session.describe()
                            + "); stop it, or restore into a new data directory");
                }
                prepareSchema(session.address(), manifest.schemaVersion());
                Connection connection = session.connection();
                connection.setAutoCommit(false);
                Map<String, Long> rows;
                boolean replaced;
                try {
                    replaced = emptyOrForced(connection, force);
                    rows = load(connection, zip, manifest);
                    connection.commit();
                } catch (SQLException | IOException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
                connection.setAutoCommit(true);
                Migrations.migrate(session.address());
                try (Statement statement = connection.createStatement()) {
                    statement.execute("ANALYZE"); // the planner's statistics, which COPY does not gather
                }
                String now = Migrations.current(session.address()).orElse(manifest.schemaVersion());
                return new Summary(manifest.schemaVersion(), now, rows, session.describe(), replaced);
            }
        } catch (SQLException | IOException e) {
            throw failure(e);
        }
    }

    /** A damaged or cut-short archive is the operator's input (an argument); anything else a failure to act. */
    private static RuntimeException failure(Exception e) {
        for (Throwable link = e; link != null; link = link.getCause()) {
            if (link instanceof java.io.EOFException) {
                return new IllegalArgumentException("the backup is cut short (it ends inside "
                        + "an entry); nothing was loaded", e);
            }
            if (link instanceof java.util.zip.ZipException) {
                return new IllegalArgumentException("the backup is damaged (" + link.getMessage()
                        + "); nothing was loaded", e);
            }
        }
        return e instanceof IOException io
                ? new UncheckedIOException("restore failed, nothing was loaded: " + e.getMessage(), io)
                : new IllegalStateException("restore failed, nothing was loaded: " + e.getMessage(), e);
    }

    /** Brings the schema to the backup's version: never beyond it (its rows would not fit), never back. */
    private static void prepareSchema(ServerAddress address, String backupVersion) {
        Optional<String> current = Migrations.current(address);
        if (current.isPresent() && Migrations.compare(current.get(), backupVersion) > 0) {
            throw new IllegalStateException("the database's schema is at version " + current.get()
                    + ", newer than the backup's (" + backupVersion + "); restore into a new, empty database");
        }
        String known = Migrations.latestKnown(address);
        if (known.equals("none") || Migrations.compare(backupVersion, known) > 0) {
            throw new IllegalStateException("the backup was written at schema version " + backupVersion
                    + " but this Hato's migrations reach " + known + " only; restore it with the Hato that wrote"
                    + " it or a newer one");
        }
        Migrations.migrateTo(address, backupVersion);
        String reached = Migrations.current(address).orElse("none");
        if (!reached.equals(backupVersion)) {
            throw new IllegalStateException("the backup was written at schema version " + backupVersion
                    + ", which is not a version of this Hato's migrations (they reached " + reached + ")");
        }
    }

    private static boolean emptyOrForced(Connection connection, boolean force) throws SQLException {
        List<String> holdingRows = new ArrayList<>();
        List<SchemaCatalog.Table> tables = SchemaCatalog.tables(connection);
        for (SchemaCatalog.Table table : tables) {
            try (Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM "
                         + SchemaCatalog.quote(table.name()) + ")")) {
                row.next();
                if (row.getBoolean(1)) {
                    holdingRows.add(table.name());
                }
            }
        }
        if (holdingRows.isEmpty()) {
            return false;
        }
        if (!force) {
            throw new IllegalStateException("the database is not empty (rows in " + String.join(", ", holdingRows)
                    + "); restore into a new data directory or database, or add --force to delete them");
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE " + String.join(", ", tables.stream()
                    .map(table -> SchemaCatalog.quote(table.name())).toList()) + " RESTART IDENTITY CASCADE");
        }
        return true;
    }

    private static Map<String, Long> load(Connection connection, ZipInputStream zip, BackupManifest manifest)
            throws SQLException, IOException {
        Map<String, List<String>> present = new LinkedHashMap<>();
        for (SchemaCatalog.Table table : SchemaCatalog.tables(connection)) {
            present.put(table.name(), table.columns());
        }
        for (SchemaCatalog.Table table : manifest.tables()) {
            List<String> columns = present.get(table.name());
            if (columns == null || !columns.containsAll(table.columns())) {
                throw new IllegalStateException("table " + table.name() + " of the backup "
                        + (columns == null ? "does not exist" : "has columns this schema lacks")
                        + " at schema version " + manifest.schemaVersion());
            }
        }
        try (Statement statement = connection.createStatement()) {
            for (SchemaCatalog.Table table : manifest.tables()) {
                // The rows are final: triggers that fill in derived columns or log changes already ran when they
                // were first written. Foreign keys stay checked (they are system triggers, not USER ones).
                statement.execute("ALTER TABLE " + SchemaCatalog.quote(table.name()) + " DISABLE TRIGGER USER");
            }
        }
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        Map<String, Long> rows = new LinkedHashMap<>();
        int index = 0;
        for (SchemaCatalog.Table table : manifest.tables()) {
            String expected = BackupManifest.dataEntry(++index, table.name());
            ZipEntry entry = zip.getNextEntry();
            if (entry == null || !entry.getName().equals(expected)) {
                throw new IllegalArgumentException("the backup is incomplete or out of order: expected " + expected
                        + ", found " + (entry == null ? "its end" : entry.getName()));
            }
            rows.put(table.name(), copy.copyIn("COPY " + table.copyTarget() + " FROM STDIN", zip, COPY_BUFFER));
        }
        checkCounts(zip, rows);
        setSequences(connection, manifest.sequences());
        try (Statement statement = connection.createStatement()) {
            for (SchemaCatalog.Table table : manifest.tables()) {
                statement.execute("ALTER TABLE " + SchemaCatalog.quote(table.name()) + " ENABLE TRIGGER USER");
            }
        }
        return rows;
    }

    /** The archive's last entry: the row counts the backup wrote, to catch an archive cut short or tampered with. */
    private static void checkCounts(ZipInputStream zip, Map<String, Long> loaded) throws IOException {
        ZipEntry entry = zip.getNextEntry();
        if (entry == null || !entry.getName().equals(BackupManifest.ROWS_ENTRY)) {
            throw new IllegalArgumentException("the backup is incomplete: it has no " + BackupManifest.ROWS_ENTRY
                    + " after its tables");
        }
        Properties written = new Properties();
        written.load(new StringReader(new String(zip.readNBytes(1 << 20), StandardCharsets.UTF_8)));
        for (Map.Entry<String, Long> table : loaded.entrySet()) {
            String count = written.getProperty(table.getKey());
            if (count == null || Long.parseLong(count.strip()) != table.getValue()) {
                throw new IllegalArgumentException("the backup is damaged: table " + table.getKey() + " had "
                        + count + " rows when written, " + table.getValue() + " were read back");
            }
        }
    }

    private static void setSequences(Connection connection, Map<String, String> sequences) throws SQLException {
        try (PreparedStatement setval = connection.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
            for (Map.Entry<String, String> sequence : sequences.entrySet()) {
                String[] value = sequence.getValue().split(",");
                setval.setString(1, SchemaCatalog.quote(sequence.getKey()));
                setval.setLong(2, Long.parseLong(value[0]));
                setval.setBoolean(3, Boolean.parseBoolean(value[1]));
                setval.executeQuery().close();
            }
        }
    }
}
