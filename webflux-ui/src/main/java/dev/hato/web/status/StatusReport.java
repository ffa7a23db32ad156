package dev.hato.web.status;

import java.util.List;

/** A snapshot of the running gateway for operators. */
public record StatusReport(String version, String hostName, String store, String tls, List<Listener> listeners,
                           long domains, long accounts) {

    /** One listening socket, e.g. ("submissions", "127.0.0.1:465", "implicit TLS"). */
    public record Listener(String name, String address, String security) { }

    public StatusReport {
        listeners = List.copyOf(listeners);
    }
}
