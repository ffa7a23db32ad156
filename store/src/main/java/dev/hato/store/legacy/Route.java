package dev.hato.store.legacy;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a person is served during a migration: by an old system ({@code legacy:NAME}: logins are proxied there and
 * their mail is relayed there), by Hato while their mail is being copied ({@code syncing}: new mail lands in Hato),
 * or by Hato alone ({@code local}).
 */
public record Route(Kind kind, @Nullable String backend) {

    public static final Route LOCAL = new Route(Kind.LOCAL, null);
    public static final Route SYNCING = new Route(Kind.SYNCING, null);

    /** The three kinds of route. */
    public enum Kind { LOCAL, SYNCING, LEGACY }

    public Route {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.LEGACY) != (backend != null)) {
            throw new IllegalArgumentException("a legacy route names its legacy system, and only a legacy route does");
        }
    }

    public static Route legacy(String backend) {
        return new Route(Kind.LEGACY, backend);
    }

    /** Whether logins and mail go to the old system. */
    public boolean isLegacy() {
        return kind == Kind.LEGACY;
    }

    /** {@code local}, {@code syncing} or {@code legacy:NAME}, as {@link #parse} reads it. */
    public String label() {
        return switch (kind) {
            case LOCAL -> "local";
            case SYNCING -> "syncing";
            case LEGACY -> "legacy:" + backend;
        };
    }

    /** Reads {@link #label()}'s form; IllegalArgumentException for anything else. */
    public static Route parse(String label) {
        if (label.equals("local")) {
            return LOCAL;
        }
        if (label.equals("syncing")) {
            return SYNCING;
        }
        if (label.startsWith("legacy:") && LegacyBackend.validName(label.substring("legacy:".length()))) {
            return legacy(label.substring("legacy:".length()));
        }
        throw new IllegalArgumentException("a route is local, syncing or legacy:NAME, not \"" + label + "\"");
    }
}
