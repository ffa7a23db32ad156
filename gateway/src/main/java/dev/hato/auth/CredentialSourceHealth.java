package dev.hato.auth;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The state of each guarded credential source, for the health endpoint: source name → CLOSED (working), OPEN
 * (failing fast after errors) or HALF_OPEN (probing). Local sources have no breaker and are not listed.
 */
public final class CredentialSourceHealth {

    private final List<ResilientCredentialSource> sources;

    public CredentialSourceHealth(List<ResilientCredentialSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** In the order given; a fresh snapshot on every call. */
    public Map<String, String> states() {
        Map<String, String> states = new LinkedHashMap<>();
        for (ResilientCredentialSource source : sources) {
            states.put(source.name(), source.state().name());
        }
        return states;
    }

    /** True when no circuit is open or half-open. */
    public boolean allClosed() {
        return sources.stream().allMatch(source -> source.state() == ResilientCredentialSource.State.CLOSED);
    }
}
