package dev.hato.store.legacy;

import org.jspecify.annotations.Nullable;

/**
 * How hard a migration may press an old system: at most {@code maxConnections} people copied from it at once, each
 * connection reading at most {@code maxRate} octets per second ({@code null}: no limit).
 */
public record Throttle(@Nullable Integer maxConnections, @Nullable Long maxRate) {

    /** No limits. */
    public static final Throttle NONE = new Throttle(null, null);

    public Throttle {
        if (maxConnections != null && maxConnections < 1) {
            throw new IllegalArgumentException("at least one connection, not " + maxConnections);
        }
        if (maxRate != null && maxRate < 1) {
            throw new IllegalArgumentException("a rate is at least one octet per second, not " + maxRate);
        }
    }
}
