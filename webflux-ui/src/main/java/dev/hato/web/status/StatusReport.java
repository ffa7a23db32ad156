package dev.hato.web.status;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of the running gateway for operators. {@code authSources} maps each credential source to the state of
 * its circuit breaker (CLOSED = healthy, OPEN = cut off after failures, HALF_OPEN = probing).
 */
public record StatusReport(String version, String hostName, String store, String tls, List<Listener> listeners,
                           long domains, long accounts, Map<String, String> authSources) {

    /** One listening socket, e.g. ("submissions", "127.0.0.1:465", "implicit TLS"). */
    public record Listener(String name, String address, String security) { }

    public StatusReport {
        listeners = List.copyOf(listeners);
        authSources = Collections.unmodifiableMap(new TreeMap<>(authSources));
    }
}
