package dev.hato.store.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a backup needs to know about Hato's schema, read from PostgreSQL's catalog rather than listed by hand, so a
 * table a later migration adds is backed up without anyone remembering to: the tables of the current schema (but
 * Flyway's history) in an order that loads every referenced row before the rows referring to it, their columns, and
 * the sequences.
 */
final class SchemaCatalog {

    private SchemaCatalog() { }

    /** A table and the columns COPY moves (generated columns are computed again on the way in). */
    record Table(String name, List<String> columns) {
        String copyTarget() {
            return quote(name) + " (" + String.join(", ", columns.stream().map(SchemaCatalog::quote).toList()) + ")";
        }
    }

    /** Every table holding rows (partitions rather than their empty parents), parents before children. */
    static List<Table> tables(Connection connection) throws SQLException {
        Set<String> names = new LinkedHashSet<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT c.relname FROM pg_class c"
                     + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> '"
                     + Migrations.HISTORY_TABLE + "' ORDER BY c.relname")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        Map<String, Set<String>> references = new HashMap<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT child.relname, parent.relname FROM pg_constraint f"
                     + " JOIN pg_class child ON child.oid = f.conrelid"
                     + " JOIN pg_class parent ON parent.oid = f.confrelid"
                     + " JOIN pg_namespace n ON n.oid = child.relnamespace"
                     + " WHERE f.contype = 'f' AND n.nspname = current_schema()")) {
            while (rows.next()) {
                references.computeIfAbsent(rows.getString(1), k -> new LinkedHashSet<>()).add(rows.getString(2));
            }
        }
        List<Table> tables = new ArrayList<>();
        for (String name : ordered(names, references)) {
            tables.add(new Table(name, columns(connection, name)));
        }
        return tables;
    }

    /** Sequence name to {@code last_value,is_called}, as setval takes them back. */
    static Map<String, String> sequences(Connection connection) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT c.relname FROM pg_class c"
                     + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                     + " WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY c.relname")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        Map<String, String> values = new TreeMap<>();
        for (String name : names) {
            try (Statement statement = connection.createStatement();
                 ResultSet row = statement.executeQuery("SELECT last_value, is_called FROM " + quote(name))) {
                row.next();
                values.put(name, row.getLong(1) + "," + row.getBoolean(2));
            }
        }
        return values;
    }

    /** The version of the newest migration applied, or empty for a database Hato never migrated. */
    static Optional<String> schemaVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet row = statement.executeQuery("SELECT version FROM " + quote(Migrations.HISTORY_TABLE)
                     + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
            return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) { // undefined_table: never migrated
                return Optional.empty();
            }
            throw e;
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static List<String> columns(Connection connection, String table) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement("SELECT attname FROM pg_attribute"
                + " WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''"
                + " ORDER BY attnum")) {
            statement.setString(1, quote(table));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    columns.add(rows.getString(1));
                }
            }
        }
        return columns;
    }

    /**
     * Depth-first topological order by foreign key. A table referring to itself is fine (COPY checks its keys at
     * the end of the statement); a cycle between tables cannot be loaded in any order and is refused.
     */
    private static List<String> ordered(Set<String> names, Map<String, Set<String>> references) {
        Map<String, Boolean> state = new LinkedHashMap<>(); // false: being visited, true: done
        List<String> order = new ArrayList<>();
        for (String name : names) {
            visit(name, names, references, state, order);
        }
        return order;
    }

    private static void visit(String name, Set<String> names, Map<String, Set<String>> references,
                              Map<String, Boolean> state, List<String> order) {
        Boolean seen = state.get(name);
        if (Boolean.TRUE.equals(seen)) {
            return;
        }
        if (Boolean.FALSE.equals(seen)) {
            throw new IllegalStateException("the foreign keys of table " + name + " form a cycle; a backup cannot"
                    + " order its tables");
        }
        state.put(name, false);
        for (String parent : references.getOrDefault(name, Set.of())) {
            if (!parent.equals(name) && names.contains(parent)) {
                visit(parent, names, references, state, order);
            }
        }
        state.put(name, true);
        order.add(name);
    }
}
