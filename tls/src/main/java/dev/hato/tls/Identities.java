package dev.hato.tls;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What the server serves at one moment: the default certificate and the named ones, with the name lookups
 * precomputed. Immutable; a reload builds a new value and swaps it in whole, so a handshake sees either the old set
 * or the new one, never half of each.
 */
final class Identities {

    private final Identity fallback;
    private final List<Identity> named;
    private final Map<String, Identity> exact = new HashMap<>();
    private final Map<String, Identity> wildcard = new HashMap<>();

    /**
     * {@code named} in configured order: when two certificates claim the same name, the earlier one serves it, and
     * the default's own names come before all of them. An exact name beats a wildcard whatever the order.
     */
    Identities(Identity fallback, List<Identity> named) {
        this.fallback = fallback;
        this.named = List.copyOf(named);
        List<Identity> all = new ArrayList<>();
        all.add(fallback);
        all.addAll(named);
        for (Identity identity : all) {
            for (String name : identity.names()) {
                if (name.startsWith("*.")) {
                    wildcard.putIfAbsent(name.substring(2), identity);
                } else {
                    exact.putIfAbsent(name, identity);
                }
            }
        }
    }

    Identity fallback() {
        return fallback;
    }

    List<Identity> named() {
        return named;
    }

    /**
     * The certificate for the host name a client sent (RFC 6066 §3 server_name), or the default one when it sent
     * none or no certificate names it. RFC 6125 §6.4.3: a wildcard stands for exactly one whole left-most label, so
     * {@code *.example.org} covers {@code mail.example.org} but neither {@code example.org} nor
     * {@code a.b.example.org}. Two map lookups: the name's length is bounded by the TLS record it came in.
     */
    Identity select(@Nullable String serverName) {
        if (serverName == null || serverName.isEmpty()) {
            return fallback;
        }
        String name = serverName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        Identity found = exact.get(name);
        if (found != null) {
            return found;
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            found = wildcard.get(name.substring(dot + 1));
        }
        return found != null ? found : fallback;
    }

    /** The identity whose aliases start with {@code id}, if it is still served. */
    @Nullable Identity byId(String id) {
        if (fallback.id().equals(id)) {
            return fallback;
        }
        for (Identity identity : named) {
            if (identity.id().equals(id)) {
                return identity;
            }
        }
        return null;
    }

    /** A copy with the default certificate replaced. */
    Identities withFallback(Identity newFallback) {
        return new Identities(newFallback, named);
    }

    /** A copy with the named certificate at {@code index} replaced. */
    Identities withNamed(int index, Identity replacement) {
        List<Identity> copy = new ArrayList<>(named);
        copy.set(index, replacement);
        return new Identities(fallback, copy);
    }
}
