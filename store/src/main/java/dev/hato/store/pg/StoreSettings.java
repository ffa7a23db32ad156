package dev.hato.store.pg;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to reach PostgreSQL and how to batch deliveries.
 *
 * @param dataDirectory Hato's data directory; the embedded PostgreSQL keeps its cluster in
 *                      {@code <dataDirectory>/postgres}
 * @param url           {@code r2dbc:postgresql://host[:port]/database[?options]} of an external server, or null to
 *                      use (start, or attach to) the embedded PostgreSQL
 * @param username      overrides the URL's user; the embedded server always uses {@code postgres}
 * @param password      overrides the URL's password
 * @param embeddedPort  TCP port of the embedded server on 127.0.0.1; 0 picks a free one at start
 * @param poolSize      maximum number of R2DBC connections
 * @param batchWindow   how long the first delivery of a batch waits for company before the batch is written
 * @param batchSize     most deliveries written in one transaction
 */
public record StoreSettings(Path dataDirectory, @Nullable String url, @Nullable String username,
                            @Nullable String password, int embeddedPort, int poolSize, Duration batchWindow,
                            int batchSize) {

    public static final int DEFAULT_POOL_SIZE = 10;
    public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(2);
    public static final int DEFAULT_BATCH_SIZE = 64;

    // Every SMTP reply to DATA waits for its batch, so a window of seconds would be a misconfiguration
    // (a unit mistake such as "2" meant as milliseconds), not a tuning choice.
    private static final Duration MAX_BATCH_WINDOW = Duration.ofSeconds(1);
    private static final int MAX_BATCH_SIZE = 1000;
    private static final int MAX_POOL_SIZE = 1000;

    public StoreSettings {
        Objects.requireNonNull(dataDirectory, "dataDirectory");
        Objects.requireNonNull(batchWindow, "batchWindow");
        // Configuration sources often turn "not set" into an empty string.
        url = blankToNull(url);
        username = blankToNull(username);
        if (url != null && !(url.startsWith("r2dbc:postgresql://") || url.startsWith("r2dbc:postgres://"))) {
            throw new IllegalArgumentException("the store URL must look like r2dbc:postgresql://host:port/database,"
                    + " not " + ServerAddress.withoutCredentials(url));
        }
        if (embeddedPort < 0 || embeddedPort > 65_535) {
            throw new IllegalArgumentException("embeddedPort must be 0 (any free port) or 1..65535, not "
                    + embeddedPort);
        }
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new IllegalArgumentException("poolSize must be 1.." + MAX_POOL_SIZE + ", not " + poolSize);
        }
        if (batchWindow.isNegative() || batchWindow.compareTo(MAX_BATCH_WINDOW) > 0) {
            throw new IllegalArgumentException("batchWindow must be between 0 and " + MAX_BATCH_WINDOW + ", not "
                    + batchWindow);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batchSize must be 1.." + MAX_BATCH_SIZE + ", not " + batchSize);
        }
    }

    /** Embedded PostgreSQL in {@code <dataDirectory>/postgres} on a free port, default pool and batching. */
    public static StoreSettings defaults(Path dataDirectory) {
        return new StoreSettings(dataDirectory, null, null, null, 0, DEFAULT_POOL_SIZE, DEFAULT_BATCH_WINDOW,
                DEFAULT_BATCH_SIZE);
    }

    /** True when no URL is configured, so the embedded PostgreSQL is used. */
    public boolean embedded() {
        return url == null;
    }

    /** Where the embedded PostgreSQL keeps its cluster. */
    public Path embeddedDataDirectory() {
        return dataDirectory.resolve("postgres");
    }

    public StoreSettings withDataDirectory(Path dataDirectory) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    public StoreSettings withUrl(@Nullable String url) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    public StoreSettings withUsername(@Nullable String username) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    public StoreSettings withPassword(@Nullable String password) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    public StoreSettings withEmbeddedPort(int embeddedPort) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    public StoreSettings withPoolSize(int poolSize) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    public StoreSettings withBatchWindow(Duration batchWindow) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    public StoreSettings withBatchSize(int batchSize) {
        return new StoreSettings(dataDirectory, url, username, password, embeddedPort, poolSize, batchWindow,
                batchSize);
    }

    /** Never prints the password (settings end up in logs and banners). */
    @Override
    public String toString() {
        return "StoreSettings[dataDirectory=" + dataDirectory
                + ", url=" + (url == null ? "embedded" : ServerAddress.withoutCredentials(url))
                + ", username=" + username
                + ", password=" + (password == null ? "none" : "***")
                + ", embeddedPort=" + embeddedPort
                + ", poolSize=" + poolSize
                + ", batchWindow=" + batchWindow
                + ", batchSize=" + batchSize + "]";
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
