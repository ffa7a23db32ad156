package dev.hato.app;

import dev.hato.dkim.MessageSigner;
import dev.hato.maillog.MailLog;
import dev.hato.outbound.MtaSts;
import dev.hato.outbound.OutboundSettings;
import dev.hato.outbound.QueueRunner;
import dev.hato.outbound.Smarthost;
import dev.hato.outbound.TlsReporting;
import dev.hato.outbound.client.TlsPolicy;
import dev.hato.outbound.transport.ClientTls;
import dev.hato.outbound.transport.DnsMxResolver;
import dev.hato.outbound.transport.NettyOutboundHttp;
import dev.hato.outbound.transport.NettySmtpConnector;
import dev.hato.store.pg.PgStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/** The outbound side as the server runs it: DNS resolver, SMTP connector, report builder and the queue runner. */
final class OutboundWiring implements AutoCloseable {

    private final @Nullable QueueRunner runner;
    private final @Nullable DnsMxResolver resolver;
    private final @Nullable TlsReporting tlsReports;
    private final @Nullable NettyOutboundHttp http;
    private final Scheduler io;

    OutboundWiring(HatoProperties properties, PgStore store, MessageSigner signer, MeterRegistry meters,
                   MailLog mailLog) {
        HatoProperties.Outbound outbound = properties.outbound();
        this.io = Schedulers.newBoundedElastic(2, 1000, "hato-outbound");
        if (!outbound.enabled()) {
            this.runner = null;
            this.resolver = null;
            this.tlsReports = null;
            this.http = null;
            return;
        }
        OutboundSettings settings = settings(properties);
        Path spool = properties.dataDir().resolve("spool");
        try {
            Files.createDirectories(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the spool directory " + spool, e);
        }
        this.resolver = new DnsMxResolver(dnsServers(outbound.dnsServers()), outbound.dnsTimeout());
        ClientTls tls = ClientTls.create(outbound.trustedCertificates());
        NettySmtpConnector connector = new NettySmtpConnector(tls, outbound.connectTimeout(), outbound.replyTimeout());
        this.http = new NettyOutboundHttp(tls, dnsServers(outbound.dnsServers()), outbound.dnsTimeout(),
                outbound.mtaSts().port(), outbound.mtaSts().fetchTimeout());
        MtaSts mtaSts = outbound.mtaSts().enabled()
                ? new MtaSts(resolver, http, store.stsPolicies(), Clock.systemUTC()) : null;
        this.tlsReports = outbound.tlsReports().enabled()
                ? new TlsReporting(reportSettings(properties, settings.heloName()), store.tlsSessions(), resolver, http,
                        DeliveryWiring.mailer(properties, store, spool, io)::send, Clock.systemUTC())
                : null;
        this.runner = QueueRunner.create(settings, store.outboundQueue(), resolver, connector, signer,
                DeliveryWiring.reports(properties, store, settings.heloName(), spool, io),
                Clock.systemUTC(), Schedulers.parallel(), meters, mailLog, mtaSts, tlsReports, store.legacyBackends());
        runner.start();
        if (tlsReports != null) {
            tlsReports.start(Schedulers.parallel());
        }
    }

    private static TlsReporting.Settings reportSettings(HatoProperties properties, String heloName) {
        HatoProperties.TlsReports reports = properties.outbound().tlsReports();
        String host = properties.hostName();
        return new TlsReporting.Settings(
                reports.organization() == null || reports.organization().isBlank() ? host : reports.organization(),
                reports.contact() == null || reports.contact().isBlank() ? "postmaster@" + host : reports.contact(),
                reports.sender() == null || reports.sender().isBlank() ? "tls-reports@" + host : reports.sender(),
                heloName, reports.interval());
    }

    static OutboundSettings settings(HatoProperties properties) {
        HatoProperties.Outbound outbound = properties.outbound();
        HatoProperties.Smarthost relay = outbound.smarthost();
        Smarthost smarthost = relay.host() == null || relay.host().isBlank() ? null
                : new Smarthost(relay.host(), relay.port(), relay.implicitTls(), policy(relay.tls()),
                        blankToNull(relay.username()), blankToNull(relay.password()));
        Map<String, TlsPolicy> policies = outbound.tlsPolicies().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> policy(entry.getValue())));
        String helo = outbound.heloName() == null || outbound.heloName().isBlank() ? properties.hostName()
                : outbound.heloName();
        return new OutboundSettings(helo, smarthost, outbound.remotePort(), outbound.connectionsPerDestination(),
                outbound.messagesPerConnection(), outbound.maxAge(), outbound.delayNotice(), outbound.firstRetry(),
                outbound.maxRetry(), outbound.pollInterval(), outbound.claimLease(), 20, 500,
                policy(outbound.tls()), policies);
    }

    static TlsPolicy policy(String name) {
        try {
            TlsPolicy policy = TlsPolicy.valueOf(name.trim().toUpperCase(Locale.ROOT));
            if (policy == TlsPolicy.OFFERED_VERIFY) {
                throw new IllegalArgumentException("legacy systems' MTAs only");
            }
            return policy;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a TLS policy is none, may, encrypt or verify, not '" + name + "'");
        }
    }

    static List<InetSocketAddress> dnsServers(List<String> servers) {
        return servers.stream().map(server -> {
            String host = server.trim();
            int port = 53;
            int colon = host.lastIndexOf(':');
            if (colon > 0 && host.indexOf(':') == colon) {
                port = Integer.parseInt(host.substring(colon + 1));
                host = host.substring(0, colon);
            }
            return new InetSocketAddress(host, port);
        }).toList();
    }

    private static @Nullable String blankToNull(@Nullable String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The runner, when outbound delivery is enabled. */
    @Nullable QueueRunner runner() {
        return runner;
    }

    @Override
    public void close() {
        try {
            if (tlsReports != null) {
                tlsReports.close();
            }
            if (runner != null) {
                runner.close();
            }
        } finally {
            if (resolver != null) {
                resolver.close();
            }
            if (http != null) {
                http.close();
            }
            io.dispose();
        }
    }
}
