package dev.hato.store.pg;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The first entry of a backup archive: which schema version the rows belong to, which tables follow in which order
 * with which columns, and the sequences' values. The restore reads it before any row, so it can migrate an empty
 * database to exactly that version, or refuse, before loading anything.
 *
 * <p>The archive is a ZIP file (readable with any unzip, and written and read as a stream, so a backup of many
 * gigabytes is never held in memory): {@value #ENTRY}, then one {@code data/NNN-table.copy} entry per table in
 * PostgreSQL's COPY text format, then {@value #ROWS_ENTRY} with each table's row count, which the restore checks
 * before it commits.
 */
record BackupManifest(int format, String schemaVersion, String created, String server,
                      List<SchemaCatalog.Table> tables, Map<String, String> sequences) {

    static final String ENTRY = "hato-backup.properties";
    static final String ROWS_ENTRY = "rows.properties";
    static final int FORMAT = 1;

    static String dataEntry(int index, String table) {
        return String.format("data/%03d-%s.copy", index, table);
    }

    void write(OutputStream out) throws IOException {
        StringBuilder text = new StringBuilder("# Hato backup: restore with `hato restore --from FILE`\n");
        line(text, "format", String.valueOf(format));
        line(text, "schema-version", schemaVersion);
        line(text, "created", created);
        line(text, "server", server);
        line(text, "tables", String.join(",", tables.stream().map(SchemaCatalog.Table::name).toList()));
        for (SchemaCatalog.Table table : tables) {
            for (String column : table.columns()) {
                if (column.contains(",")) {
                    throw new IllegalStateException("column " + table.name() + "." + column + " has a comma in its"
                            + " name, which this backup format cannot list");
                }
            }
            line(text, "columns." + table.name(), String.join(",", table.columns()));
        }
        sequences.forEach((name, value) -> line(text, "sequence." + name, value));
        out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    static BackupManifest read(InputStream in) throws IOException {
        Properties properties = new Properties();
        // Bounded: a manifest lists tables and sequences, never rows.
        byte[] bytes = in.readNBytes(1 << 20);
        properties.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        String format = required(properties, "format");
        if (!format.equals(String.valueOf(FORMAT))) {
            throw new IllegalArgumentException("backup format " + format + " is not one this Hato reads ("
                    + FORMAT + ")");
        }
        List<SchemaCatalog.Table> tables = new ArrayList<>();
        String names = required(properties, "tables");
        for (String name : names.isEmpty() ? List.<String>of() : Arrays.asList(names.split(","))) {
            tables.add(new SchemaCatalog.Table(name, Arrays.asList(required(properties, "columns." + name)
                    .split(","))));
        }
        Map<String, String> sequences = new LinkedHashMap<>();
        for (String key : properties.stringPropertyNames().stream().sorted().toList()) {
            if (key.startsWith("sequence.")) {
                sequences.put(key.substring("sequence.".length()), properties.getProperty(key));
            }
        }
        return new BackupManifest(FORMAT, required(properties, "schema-version"),
                properties.getProperty("created", ""), properties.getProperty("server", ""), tables, sequences);
    }

    private static void line(StringBuilder text, String key, String value) {
        // Properties escaping (unicode, separators) through the class that reads it back.
        Properties one = new Properties();
        one.setProperty(key, value);
        java.io.StringWriter writer = new java.io.StringWriter();
        try {
            one.store(writer, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        writer.toString().lines().filter(l -> !l.startsWith("#")).forEach(l -> text.append(l).append('\n'));
    }

    private static String required(Properties properties, String key) {
        String value = properties.getProperty(key);
        if (value == null) {
            throw new IllegalArgumentException("not a Hato backup: its manifest has no " + key);
        }
        return value;
    }
}
