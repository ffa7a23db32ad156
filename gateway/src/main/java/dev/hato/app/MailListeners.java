package dev.hato.app;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.hato.app.monitoring.SmtpMeters;
import dev.hato.auth.sasl.SaslEngine;
import dev.hato.delivery.ActiveScripts;
import dev.hato.edge.ConnectionCap;
import dev.hato.edge.NettyBackendConnector;
import dev.hato.edge.ProtocolServer;
import dev.hato.imap.fetch.FetchRenderer;
import dev.hato.inbound.InboundAuthenticator;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.imap.fetch.MessageStructure;
import dev.hato.imap.search.ImapSearch;
import dev.hato.imap.session.ImapServices;
import dev.hato.imap.session.ImapSession;
import dev.hato.imap.session.ImapSettings;
import dev.hato.imap.session.MailboxChanges;
import io.micrometer.core.instrument.MeterRegistry;
import dev.hato.maillog.MailEvent;
import dev.hato.maillog.MailLog;
import dev.hato.managesieve.session.ManageSieveServices;
import dev.hato.managesieve.session.ManageSieveSession;
import dev.hato.managesieve.session.ManageSieveSettings;
import dev.hato.pop3.session.MaildropHandover;
import dev.hato.pop3.session.Pop3Services;
import dev.hato.pop3.session.Pop3Session;
import dev.hato.pop3.session.Pop3Settings;
import dev.hato.smtp.session.SmtpServices;
import dev.hato.smtp.session.SmtpSession;
import dev.hato.smtp.session.SmtpSettings;
import dev.hato.smtp.session.SendLimits;
import dev.hato.smtp.session.UnknownRecipients;
import dev.hato.store.audit.AuditLog;
import dev.hato.store.audit.AuthEvent;
import dev.hato.store.sieve.SieveScripts;

import dev.hato.store.pg.PgStore;
import dev.hato.legacy.LegacyProxy;
import dev.hato.legacy.MasterPasswords;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.LoginRoutes;
import dev.hato.protocol.ProtocolSession;
import dev.hato.tls.ServerTls;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import dev.hato.web.compose.MailSubmission;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.scheduler.Schedulers;

/** Binds the SMTP, POP3, IMAP and ManageSieve listeners when the application starts and closes them first when it stops. */
public final class MailListeners implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(MailListeners.class);

    private final HatoProperties properties;
    private final Map<String, Function<ConnectionInfo, ProtocolSession>> sessions;
    private final List<ProtocolServer> servers;
    private final List<ProtocolServer.BoundServer> bound = new ArrayList<>();
    private final WebmailSubmission submission;
    /** Connections to old systems for proxied logins (issue 17). */
    private final NettyBackendConnector backends = new NettyBackendConnector(Duration.ofSeconds(10),
            Duration.ofSeconds(30));
    /** How often the routes of people with proxied connections are read again (a cutover closes theirs). */
    private static final Duration ROUTE_CHECK = Duration.ofSeconds(10);
    private final LegacyProxy proxy;
    private volatile boolean running;

    MailListeners(HatoProperties properties, PgStore store, ServerTls tls, SaslEngine sasl, MeterRegistry meters,
                  MailLog mailLog, @Nullable InboundAuthenticator inbound, ActiveScripts scripts,
                  LegacyProxy.LoginListener proxiedLogins) {
        this.properties = properties;
        SmtpServices smtpServices = smtpServices(properties, store, sasl, mailLog, inbound, scripts);
        this.proxy = loginRoutes(properties, store, backends, proxiedLogins);
        this.sessions = sessions(properties, store, sasl, meters, mailLog, smtpServices, scripts, proxy);
        this.submission = new WebmailSubmission(smtpServices, submissionSettings(properties), store.directory(),
                store.mailboxes());
        this.servers = servers(properties, sessions, tls.sslContext(), connectRefusals(mailLog)).stream()
                .map(server -> server.meters(meters, protocol(server.name()))).toList();
    }

    @Override
    public synchronized void start() {
        removeLeftoverSpoolFiles(properties.dataDir().resolve("spool"));
        String bind = properties.bindAddress();
        try {
            for (ProtocolServer server : servers) {
                bound.add(server.host(bind).bind().block());
            }
        } catch (RuntimeException e) {
            stop();
            throw new IllegalStateException("cannot bind a listener on " + bind + ": " + e.getMessage(), e);
        }
        running = true;
    }

    /** The protocol a listener speaks, from its name: a tag of its meters. */
    static String protocol(String listener) {
        return listener.startsWith("smtp") || listener.startsWith("submission") ? "smtp"
                : listener.startsWith("pop3") ? "pop3" : listener.equals("managesieve") ? "managesieve" : "imap";
    }

    /** The server's bound on RCPTs to unknown users, from hato.smtp.unknown-recipients.* (checked there). */
    private static UnknownRecipients unknownRecipients(HatoProperties.UnknownRecipients limits) {
        return new UnknownRecipients(new UnknownRecipients.Settings(limits.perConnection(), limits.perClient(),
                limits.window(), limits.free(), limits.delay(), limits.maxDelay(), limits.maxTracked()),
                Schedulers.parallel());
    }

    /**
     * The server's bound on what logged-in senders send, from hato.smtp.send-limits.* (checked there); the first
     * refusal of each limit and window goes to the audit log and the server's log.
     */
    private static SendLimits sendLimits(HatoProperties.SendLimits limits, AuditLog audit) {
        return new SendLimits(new SendLimits.Settings(limits.accountMessages(), limits.accountRecipients(),
                limits.clientMessages(), limits.clientRecipients(), limits.window(), limits.maxTracked()),
                Ticker.systemTicker(), breach -> {
                    LOG.warn("sending limit reached: {} ({}) from {}: at most {} {} per {} by the {}, refused for {}",
                            breach.authId(), breach.accountId(), breach.clientIp(), breach.limit(),
                            breach.kind().name().toLowerCase(Locale.ROOT), breach.window(),
                            breach.scope().name().toLowerCase(Locale.ROOT), breach.windowLeft());
                    audit.record(new AuthEvent(Instant.now(), "smtp", breach.clientIp(), breach.authId(),
                            AuthEvent.Result.SEND_LIMITED, breach.accountId())).subscribe();
                });
    }

    /** A session as the named listener would start it, without a socket (conversation tests use this). */
    ProtocolSession newSession(String listener, ConnectionInfo connection) {
        Function<ConnectionInfo, ProtocolSession> factory = sessions.get(listener);
        if (factory == null) {
            throw new IllegalArgumentException("no listener " + listener);
        }
        return factory.apply(connection);
    }

    /** Webmail's sending: SMTP submission's pipeline, limits and settings, without a socket. */
    MailSubmission webmailSubmission() {
        return submission;
    }

    /** What every SMTP listener (and webmail's sending) shares: one pipeline, one set of sending limits. */
    private static SmtpServices smtpServices(HatoProperties properties, PgStore store, SaslEngine sasl,
                                             MailLog mailLog, @Nullable InboundAuthenticator inbound,
                                             ActiveScripts scripts) {
        Path spool = properties.dataDir().resolve("spool");
        MessageIndexer indexer = DeliveryWiring.indexer();
        return new SmtpServices(DeliveryWiring.pipeline(properties, store, spool, mailLog, scripts),
                sasl, indexer::reader, Schedulers.boundedElastic(), Clock.systemDefaultZone(),
                unknownRecipients(properties.smtp().unknownRecipients()),
                sendLimits(properties.smtp().sendLimits(), store.auditLog()), mailLog, inbound,
                InboundWiring.spamFilter(properties));
    }

    private static SmtpSettings mtaSettings(HatoProperties properties) {
        return SmtpSettings.defaults(properties.hostName(), SmtpSettings.Role.MTA,
                        properties.dataDir().resolve("spool"))
                .withMaxMessageSize(properties.smtp().maxMessageSize().toBytes())
                .withMaxRecipients(properties.smtp().maxRecipients())
                .withBareLineEndings(properties.smtp().bareLineEndings())
                .withLimits(properties.smtp().maxLineLength(), properties.smtp().maxCommandsBeforeAuth(),
                        properties.smtp().maxAuthFailures())
                .withTimeouts(properties.smtp().idleTimeout(), properties.smtp().dataTimeout())
                .withMessageLimits(properties.message().limits());
    }

    private static SmtpSettings submissionSettings(HatoProperties properties) {
        return mtaSettings(properties).withRole(SmtpSettings.Role.SUBMISSION);
    }

    /** Proxied logins of people whose route names an old system (issue 17). */
    private static LegacyProxy loginRoutes(HatoProperties properties, PgStore store, NettyBackendConnector backends,
                                           LegacyProxy.LoginListener proxiedLogins) {
        try {
            return new LegacyProxy(store.legacyBackends(), MasterPasswords.of(properties.dataDir()), backends,
                    Schedulers.boundedElastic(), ROUTE_CHECK, proxiedLogins);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MasterPasswords.SECRET_FILE + " in "
                    + properties.dataDir() + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Function<ConnectionInfo, ProtocolSession>> sessions(HatoProperties properties,
            PgStore store, SaslEngine sasl, MeterRegistry meters, MailLog mailLog, SmtpServices smtpServices,
            SieveScripts scripts, LoginRoutes logins) {
        Path spool = properties.dataDir().resolve("spool");
        String host = properties.hostName();
        MessageIndexer indexer = DeliveryWiring.indexer();
        // Each SMTP listener counts its own traffic: the same services, its own watch on the mail log.
        SmtpMeters mtaMeters = new SmtpMeters(meters, "smtp");
        SmtpMeters submissionsMeters = new SmtpMeters(meters, "submissions");
        SmtpMeters submissionMeters = new SmtpMeters(meters, "submission");
        SmtpServices mtaServices = observed(smtpServices, mtaMeters);
        SmtpServices submissionsServices = observed(smtpServices, submissionsMeters);
        SmtpServices submissionServices = observed(smtpServices, submissionMeters);
        SmtpSettings mta = mtaSettings(properties);
        SmtpSettings submission = submissionSettings(properties);
        Pop3Services pop3Services = new Pop3Services(sasl, store.mailboxes(), store.blobs(),
                MaildropHandover.defaults(), structure -> MessageStructure.decode(structure).root(), meters,
                logins, store.keptUids());
        Pop3Settings pop3 = Pop3Settings.defaults(host).withIdleTimeout(properties.pop3().idleTimeout());
        Map<String, Function<ConnectionInfo, ProtocolSession>> sessions = new LinkedHashMap<>();
        sessions.put("smtp", c -> mtaMeters.watch(new SmtpSession(mta.withStartTlsOffered(true), c, mtaServices)));
        sessions.put("submissions", c -> submissionsMeters.watch(new SmtpSession(submission, c,
                submissionsServices)));
        sessions.put("submission", c -> submissionMeters.watch(new SmtpSession(submission.withStartTlsOffered(true),
                c, submissionServices)));
        sessions.put("pop3s", c -> new Pop3Session(pop3, c, pop3Services));
        sessions.put("pop3", c -> new Pop3Session(pop3.withStartTlsOffered(true), c, pop3Services));
        HatoProperties.Imap imapProperties = properties.imap();
        FetchRenderer renderer = new FetchRenderer(store.blobs(), indexer, ZoneId.systemDefault());
        // One per node: the sessions of this process share the reads and \Recent claims of a change through it.
        MailboxChanges changes = new MailboxChanges(store.mailboxes(), meters);
        ImapServices imapServices = new ImapServices(sasl, store.mailboxes(), changes,
                renderer, new ImapSearch(store.search()), indexer::reader,
                Schedulers.boundedElastic(), Clock.systemDefaultZone(), GatewayStatus.VERSION, meters, mailLog,
                InboundWiring.junkReports(properties, store.blobs()), logins);
        ImapSettings imapSettings = ImapSettings.defaults(host, spool)
                .withAppendLimit(imapProperties.appendLimit().toBytes())
                .withLimits(imapProperties.maxLineLength(), imapProperties.maxLiteralSize().toBytes(),
                        imapProperties.maxNestingDepth(), imapProperties.maxBadCommandsBeforeLogin(),
                        imapProperties.maxAuthFailures())
                .withTimeouts(imapProperties.loginTimeout(), imapProperties.idleTimeout())
                .withMessageLimits(properties.message().limits())
                .withListLimits(imapProperties.maxListPatternLength(), imapProperties.maxListWildcards())
                .withAppendBatchLimits(imapProperties.maxAppendMessages(), imapProperties.maxAppendSize().toBytes());
        sessions.put("imaps", c -> new ImapSession(imapSettings, c, imapServices));
        sessions.put("imap", c -> new ImapSession(imapSettings.withStartTlsOffered(true), c, imapServices));
        // Through delivery's ActiveScripts, so that a script changed over ManageSieve applies to the next message.
        sessions.put("managesieve", manageSieve(properties, scripts, sasl, meters));
        return sessions;
    }

    /** ManageSieve on its STARTTLS port; scripts are compiled on the bounded scheduler, never on an event loop. */
    private static Function<ConnectionInfo, ProtocolSession> manageSieve(HatoProperties properties,
            SieveScripts scripts, SaslEngine sasl, MeterRegistry meters) {
        HatoProperties.ManageSieve limits = properties.managesieve();
        ManageSieveSettings settings = ManageSieveSettings.defaults().withStartTlsOffered(true)
                .withIdleTimeout(limits.idleTimeout())
                .withLimits(ManageSieveSettings.defaults().maxLineLength(), limits.maxCommandsBeforeLogin(),
                        limits.maxBadCommands(), limits.maxAuthFailures());
        ManageSieveServices services = new ManageSieveServices(sasl, scripts,
                Schedulers.boundedElastic(), GatewayStatus.VERSION, meters);
        return c -> new ManageSieveSession(settings, c, services);
    }

    /** {@code services} with its mail log watched by {@code meters}. */
    private static SmtpServices observed(SmtpServices services, SmtpMeters meters) {
        return new SmtpServices(services.delivery(), services.sasl(), services.facts(), services.io(),
                services.clock(), services.unknownRecipients(), services.sendLimits(),
                meters.observe(services.mailLog()),
                services.inbound(), services.spam());
    }

    private static List<ProtocolServer> servers(HatoProperties properties,
            Map<String, Function<ConnectionInfo, ProtocolSession>> sessions, SslContext tls,
            Function<String, ProtocolServer.Refusals> smtpRefusals) {
        HatoProperties.Ports ports = properties.ports();
        int limit = properties.maxConnectionsPerAddress();
        String host = properties.hostName();
        String smtpBusy = "421 4.7.0 " + host + " Too many connections from your address, try again later";
        String pop3Busy = "-ERR [SYS/TEMP] Too many connections from your address, try again later";
        String imapBusy = "* BYE [UNAVAILABLE] Too many connections from your address, try again later";
        // One cap for all listeners together: the process's sockets and memory are one budget. Port 25 gets at most
        // half of it: nobody logs in there, so only its session time (30 minutes) ends a slow client, and clients
        // trickling from many addresses would otherwise hold every place and keep IMAP and POP3 users out. The
        // listeners with logins keep the other half (their login deadline sends away who does not log in).
        ConnectionCap cap = new ConnectionCap(properties.maxConnections());
        ConnectionCap mtaCap = cap.share(Math.max(1, properties.maxConnections() / 2));
        String smtpFull = "421 4.3.2 " + host + " Too many connections, try again later";
        String pop3Full = "-ERR [SYS/TEMP] Too many connections, try again later";
        String imapFull = "* BYE [UNAVAILABLE] Too many connections, try again later";
        // Each byte resets the idle timer, so a client trickling bytes is stopped by a deadline counted from the
        // connection's start: until login where people log in (Dovecot gives about 3 minutes); on the MTA port,
        // where nobody logs in, for the whole session (RFC 5321 §3.8 and §4.5.3.2 let a server end a session with
        // 421 "at any time"; nothing unacknowledged is kept, so the sender simply retries).
        Duration login = properties.loginDeadline();
        String smtpLate = "421 4.4.2 " + host + " Time to log in is over, closing connection";
        String pop3Late = "-ERR Time to log in is over";
        String imapLate = "* BYE Time to log in is over";
        String mtaLate = "421 4.4.2 " + host + " Session time limit reached, closing connection";
        List<ProtocolServer> servers = new ArrayList<>(List.of(
                ProtocolServer.create("smtp", sessions.get("smtp")).port(ports.smtp()).startTls(tls)
                        .maxConnectionsPerAddress(limit, smtpBusy).maxConnections(mtaCap, smtpFull)
                        .sessionDeadline(properties.smtp().maxSessionTime(), mtaLate)
                        .onRefusal(smtpRefusals.apply("smtp")),
                ProtocolServer.create("submissions", sessions.get("submissions")).port(ports.submissions())
                        .implicitTls(tls).maxConnectionsPerAddress(limit, smtpBusy).maxConnections(cap, smtpFull)
                        .loginDeadline(login, smtpLate).onRefusal(smtpRefusals.apply("submissions")),
                ProtocolServer.create("submission", sessions.get("submission")).port(ports.submission())
                        .startTls(tls).maxConnectionsPerAddress(limit, smtpBusy).maxConnections(cap, smtpFull)
                        .loginDeadline(login, smtpLate).onRefusal(smtpRefusals.apply("submission")),
                ProtocolServer.create("pop3s", sessions.get("pop3s")).port(ports.pop3s()).implicitTls(tls)
                        .maxConnectionsPerAddress(limit, pop3Busy).maxConnections(cap, pop3Full)
                        .loginDeadline(login, pop3Late),
                ProtocolServer.create("pop3", sessions.get("pop3")).port(ports.pop3()).startTls(tls)
                        .maxConnectionsPerAddress(limit, pop3Busy).maxConnections(cap, pop3Full)
                        .loginDeadline(login, pop3Late)));
        servers.add(ProtocolServer.create("imaps", sessions.get("imaps")).port(ports.imaps()).implicitTls(tls)
                .maxConnectionsPerAddress(limit, imapBusy).maxConnections(cap, imapFull)
                .loginDeadline(login, imapLate));
        servers.add(ProtocolServer.create("imap", sessions.get("imap")).port(ports.imap()).startTls(tls)
                .maxConnectionsPerAddress(limit, imapBusy).maxConnections(cap, imapFull)
                .loginDeadline(login, imapLate));
        // RFC 5804 §1.3: BYE with TRYLATER is ManageSieve's temporary refusal.
        servers.add(ProtocolServer.create("managesieve", sessions.get("managesieve")).port(ports.managesieve())
                .startTls(tls)
                .maxConnectionsPerAddress(limit, "BYE (TRYLATER) \"Too many connections from your address\"")
                .maxConnections(cap, "BYE (TRYLATER) \"Too many connections, try again later\"")
                .loginDeadline(login, "BYE \"Time to log in is over\""));
        return List.copyOf(servers);
    }

    /**
     * The SMTP listeners' refusals at the door (connection limits) as {@code rejected} events at stage CONNECT. The
     * mail log's queue is bounded and drops when full, so a flood of refused connections costs one queue offer each.
     */
    private static Function<String, ProtocolServer.Refusals> connectRefusals(MailLog mailLog) {
        Clock clock = Clock.systemUTC();
        return listener -> (connection, reply) -> mailLog.record(MailEvent.of(clock.instant(), MailEvent.REJECTED,
                null, null, "stage", "CONNECT", "code", reply.length() >= 3 ? reply.substring(0, 3) : reply,
                "reply", reply, "client", connection.remoteIp(), "listener", listener));
    }

    @Override
    public synchronized void stop() {
        running = false;
        LOG.info("closing the mail listeners");
        for (ProtocolServer.BoundServer server : bound) {
            try {
                server.close();
            } catch (RuntimeException e) {
                LOG.warn("closing {} failed: {}", server.name(), e.toString());
            }
        }
        bound.clear();
        proxy.close();
        backends.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    public synchronized List<ProtocolServer.BoundServer> servers() {
        return List.copyOf(bound);
    }

    /**
     * The bound port of a listener by name ("smtp", "submissions", "submission", "pop3s", "pop3", "imaps", "imap",
     * "managesieve").
     */
    public Optional<Integer> port(String name) {
        return servers().stream().filter(s -> s.name().equals(name)).map(ProtocolServer.BoundServer::port)
                .findFirst();
    }

    private static void removeLeftoverSpoolFiles(Path spool) {
        // Spool files belong to connections of a previous run; none of them was acknowledged with 250.
        if (!Files.isDirectory(spool)) {
            return;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spool, "msg-*.spool")) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.warn("cannot clean spool directory {}: {}", spool, e.toString());
        }
    }
}
