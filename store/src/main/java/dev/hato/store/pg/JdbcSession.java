package dev.hato.store.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * One plain JDBC connection to the store's database, for the work R2DBC is not made for: streaming a whole database
 * out and in with COPY (backup and restore). The embedded server is attached to when it runs (the server, while
 * {@code hato backup} runs from another JVM) and started otherwise; only a server started here is stopped by
 * {@link #close()}.
 */
final class JdbcSession implements AutoCloseable {

    private final @Nullable EmbeddedServer embedded;
    private final ServerAddress address;
    private final Connection connection;

    private JdbcSession(@Nullable EmbeddedServer embedded, ServerAddress address, Connection connection) {
        this.embedded = embedded;
        this.address = address;
        this.connection = connection;
    }

    static JdbcSession open(StoreSettings settings) {
        EmbeddedServer embedded = null;
        try {
            LocatedServer located = LocatedServer.locate(settings);
            embedded = located.embedded();
            ServerAddress address = located.address();
            Properties properties = new Properties();
            properties.setProperty("user", address.username());
            if (address.password() != null) {
                properties.setProperty("password", address.password());
            }
            properties.setProperty("connectTimeout", "10");
            Connection connection = DriverManager.getConnection(address.jdbcUrl(), properties);
            try (Statement statement = connection.createStatement()) {
                // Text COPY of timestamps and floats must read back as the same values whatever the server's
                // defaults: an explicit zone and every float digit, as pg_dump sets them.
                statement.execute("SET TimeZone = 'UTC'");
                statement.execute("SET extra_float_digits = 3");
                statement.execute("SET DateStyle = ISO");
                statement.execute("SET IntervalStyle = postgres");
            }
            return new JdbcSession(embedded, address, connection);
        } catch (SQLException | RuntimeException e) {
            LocatedServer.release(embedded, e);
            throw new IllegalStateException("could not connect to the store's database: " + e.getMessage(), e);
        }
    }

    Connection connection() {
        return connection;
    }

    ServerAddress address() {
        return address;
    }

    /** True when the embedded server was already running, started by another process (normally a Hato server). */
    boolean attachedToRunningServer() {
        return embedded != null && embedded.attached();
    }

    String describe() {
        return address.description();
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            // nothing is left to undo: an open transaction is rolled back by the server when the socket closes
        } finally {
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
