package dev.hato.web.status;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * A snapshot of the running gateway for operators. {@code health} is the gateway's health, one entry per component
 * in the gateway's order (the store, the outbound queue, each credential source), each its status and details in
 * one line, e.g. {@code credentialSources/ldap:campus} → {@code DOWN (breaker=OPEN)}: the same health as
 * {@code /actuator/health}, not a second opinion.
 */
public record StatusReport(String version, String hostName, String store, String tls, List<Listener> listeners,
                           long domains, long accounts, Map<String, String> health) {

    /** One listening socket, e.g. ("submissions", "127.0.0.1:465", "implicit TLS"). */
    public record Listener(String name, String address, String security) { }

    public StatusReport {
        listeners = List.copyOf(listeners);
        health = Collections.unmodifiableMap(new LinkedHashMap<>(health));
    }
}
