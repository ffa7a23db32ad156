package dev.hato.store.pg;

import io.r2dbc.postgresql.PostgresqlConnectionConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactoryOptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * One PostgreSQL server as both drivers need it: R2DBC options for the pool, a JDBC URL for Flyway (which only
 * speaks JDBC). Built from {@link StoreSettings#url()} or for the embedded server.
 */
record ServerAddress(ConnectionFactoryOptions options, String host, int port, String database, String username,
                     @Nullable String password, @Nullable String sslMode, String description) {

    static final String APPLICATION_NAME = "hato";

    static ServerAddress embedded(int port, String description) {
        var options = ConnectionFactoryOptions.builder()
                .option(ConnectionFactoryOptions.DRIVER, "postgresql")
                .option(ConnectionFactoryOptions.HOST, "127.0.0.1")
                .option(ConnectionFactoryOptions.PORT, port)
                .option(ConnectionFactoryOptions.DATABASE, "postgres")
                .option(ConnectionFactoryOptions.USER, "postgres")
                .build();
        return new ServerAddress(options, "127.0.0.1", port, "postgres", "postgres", null, null, description);
    }

    static ServerAddress external(StoreSettings settings) {
        String url = settings.url();
        if (url == null) {
            throw new IllegalArgumentException("no store URL configured");
        }
        var builder = ConnectionFactoryOptions.parse(url).mutate();
        if (settings.username() != null) {
            builder.option(ConnectionFactoryOptions.USER, settings.username());
        }
        if (settings.password() != null) {
            builder.option(ConnectionFactoryOptions.PASSWORD, settings.password());
        }
        var options = builder.build();
        String host = String.valueOf(options.getRequiredValue(ConnectionFactoryOptions.HOST));
        Object port = options.getValue(ConnectionFactoryOptions.PORT);
        Object user = options.getValue(ConnectionFactoryOptions.USER);
        if (user == null) {
            throw new IllegalArgumentException("the store URL names no user and no username is configured: "
                    + withoutCredentials(url));
        }
        Object database = options.getValue(ConnectionFactoryOptions.DATABASE);
        Object password = options.getValue(ConnectionFactoryOptions.PASSWORD);
        Object sslMode = options.getValue(PostgresqlConnectionFactoryProvider.SSL_MODE);
        return new ServerAddress(options, host, port == null ? 5432 : Integer.parseInt(port.toString()),
                database == null ? user.toString() : database.toString(), user.toString(),
                password == null ? null : password.toString(), sslMode == null ? null : sslMode.toString(),
                "PostgreSQL at " + withoutCredentials(url));
    }

    PostgresqlConnectionConfiguration r2dbcConfiguration() {
        return PostgresqlConnectionFactoryProvider.builder(options)
                .applicationName(APPLICATION_NAME)
                .tcpKeepAlive(true)
                .forceBinary(true)
                .build();
    }

    String jdbcUrl() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + h + ":" + port + "/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "?ApplicationName=" + APPLICATION_NAME;
        if (sslMode != null) {
            // r2dbc's SSLMode names (VERIFY_FULL) versus libpq's (verify-full).
            url += "&sslmode=" + sslMode.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
        return url;
    }

    /** The URL as it may appear in logs: no user info, no password option. */
    static String withoutCredentials(String url) {
        return url.replaceFirst("^(r2dbc:[a-z]+://)[^@/]*@", "$1")
                .replaceAll("(?i)(password=)[^&]*", "$1***");
    }

    @Override
    public String toString() {
        return description;
    }
}
