package dev.hato.app;

import dev.hato.edge.ProtocolServer;
import dev.hato.store.pg.PgStore;
import dev.hato.tls.ServerTls;
import dev.hato.web.status.StatusReport;
import dev.hato.web.status.StatusSource;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;

/** The facts behind the status page and the start-up banner. */
final class GatewayStatus implements StatusSource {

    static final String VERSION = "0.1.0";

    private final HatoProperties properties;
    private final PgStore store;
    private final ServerTls tls;
    private final MailListeners listeners;
    private final WebmailListener webmail;
    private final Supplier<Mono<Map<String, String>>> health;

    /** {@code health}: the gateway's health, one line per component ({@link dev.hato.app.monitoring.HealthSummary}). */
    GatewayStatus(HatoProperties properties, PgStore store, ServerTls tls, MailListeners listeners,
                  WebmailListener webmail, Supplier<Mono<Map<String, String>>> health) {
        this.properties = properties;
        this.store = store;
        this.tls = tls;
        this.listeners = listeners;
        this.webmail = webmail;
        this.health = health;
    }

    @Override
    public Mono<StatusReport> report() {
        return Mono.zip(store.directory().domains().count(), store.directory().accounts(null).count(),
                        Mono.defer(health))
                .map(facts -> new StatusReport(VERSION, properties.hostName(), store.describe(), tls.describe(),
                        listeners(), facts.getT1(), facts.getT2(), facts.getT3()));
    }

    List<StatusReport.Listener> listeners() {
        List<StatusReport.Listener> all = new java.util.ArrayList<>(listeners.servers().stream()
                .map(server -> new StatusReport.Listener(server.name(),
                        server.address().getHostString() + ":" + server.port(), security(server)))
                .toList());
        all.add(new StatusReport.Listener("https", webmail.address(), "implicit TLS, webmail and client set-up"));
        return all;
    }

    private static String security(ProtocolServer.BoundServer server) {
        if (server.implicitTls()) {
            return "implicit TLS";
        }
        return server.name().startsWith("pop3") ? "STLS" : "STARTTLS";
    }
}
