package dev.hato.store.legacy;

import org.jspecify.annotations.Nullable;

/**
 * A route as set: a person's own ({@code address} set), or a domain's default for everyone in it without one of
 * their own ({@code address} null; {@code migrateOnLogin}: their first proxied login starts their migration).
 */
public record RouteEntry(String domain, @Nullable String address, Route route, boolean migrateOnLogin) {

    /** A route without migration on login. */
    public RouteEntry(String domain, @Nullable String address, Route route) {
        this(domain, address, route, false);
    }
}
