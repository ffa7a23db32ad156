package dev.hato.auth;

import dev.hato.store.directory.Account;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which credential source checks whose password: one per mail domain, chosen in configuration, and a default
 * (normally {@link LocalCredentialSource}) for every domain not listed. The domain is the part of the account's
 * address after '@', so routing needs no directory lookup.
 */
public final class CredentialSources {

    private final CredentialSource fallback;
    private final Map<String, CredentialSource> byDomain;

    /** {@code byDomain} maps a domain name (any case) to its source; other domains use {@code fallback}. */
    public CredentialSources(CredentialSource fallback, Map<String, CredentialSource> byDomain) {
        this.fallback = fallback;
        Map<String, CredentialSource> normalized = new LinkedHashMap<>();
        byDomain.forEach((domain, source) -> {
            if (normalized.put(domain.toLowerCase(Locale.ROOT), source) != null) {
                throw new IllegalArgumentException("domain " + domain + " has two credential sources");
            }
        });
        this.byDomain = Collections.unmodifiableMap(normalized);
    }

    /** Every account checks against the same source. */
    public static CredentialSources only(CredentialSource source) {
        return new CredentialSources(source, Map.of());
    }

    public CredentialSource forAccount(Account account) {
        String address = account.address();
        return forDomain(address.substring(address.lastIndexOf('@') + 1));
    }

    public CredentialSource forDomain(String domain) {
        return byDomain.getOrDefault(domain.toLowerCase(Locale.ROOT), fallback);
    }

    /** Each source once, the default first, then in the order of the map given. */
    public List<CredentialSource> all() {
        List<CredentialSource> all = new ArrayList<>();
        all.add(fallback);
        for (CredentialSource source : byDomain.values()) {
            if (all.stream().noneMatch(known -> known == source)) {
                all.add(source);
            }
        }
        return List.copyOf(all);
    }
}
