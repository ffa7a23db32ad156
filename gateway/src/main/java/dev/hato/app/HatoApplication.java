package dev.hato.app;

import dev.hato.legacy.MasterPasswords;
import dev.hato.migration.BackgroundMigrations;
import dev.hato.migration.ImapCopy;
import dev.hato.migration.MailImport;
import dev.hato.app.monitoring.HealthSummary;
import dev.hato.auth.Authenticator;
import dev.hato.delivery.ActiveScripts;
import dev.hato.dkim.DkimSigner;
import dev.hato.dkim.MessageSigner;
import dev.hato.maillog.MailLogWriter;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import dev.hato.tls.CertificateFiles;
import dev.hato.tls.CertificateWatcher;
import dev.hato.tls.ServerTls;
import dev.hato.tls.TlsSettings;
import dev.hato.web.setup.ClientSettings;
import dev.hato.web.site.WebSettings;
import dev.hato.web.site.WebSite;
import dev.hato.web.status.StatusRoutes;
import dev.hato.auth.token.JwtVerifier;
import dev.hato.auth.token.RemoteJwks;
import dev.hato.auth.token.TokenAuthenticator;
import dev.hato.auth.token.TokenKeySource;
import dev.hato.auth.token.TokenKeys;
import dev.hato.auth.token.TokenSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.client.ReactorResourceFactory;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.server.RequestPredicate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The composition root of {@code hato serve}: store, TLS, authentication, the mail listeners, outbound delivery
 * and the web status page. Shutdown runs in reverse: listeners stop accepting, the delivery batcher drains, the store closes, the
 * embedded PostgreSQL stops.
 */
@SpringBootConfiguration
// The webmail site assembles its own security, pages and sessions for the HTTPS port (WebSite); Spring Boot's
// defaults would put a generated password in front of /health on the plain HTTP and management ports.
@EnableAutoConfiguration(excludeName = {
    "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
    "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
    "org.springframework.boot.thymeleaf.autoconfigure.ThymeleafAutoConfiguration"})
@EnableConfigurationProperties(HatoProperties.class)
@Import(MonitoringWiring.class)
public class HatoApplication {

    @Bean(destroyMethod = "close")
    PgStore store(HatoProperties properties) {
        return PgStore.open(storeSettings(properties));
    }

    @Bean
    ServerTls serverTls(HatoProperties properties) {
        return ServerTls.load(tlsSettings(properties));
    }

    /**
     * Checks the certificate files every {@code hato.tls.watch-interval} and serves renewed ones; closed (its
     * thread stopped) with the application. Zero: no checks, only {@code hato tls reload}.
     */
    @Bean(destroyMethod = "close")
    AutoCloseable certificateWatcher(HatoProperties properties, ServerTls serverTls) {
        Duration interval = properties.tls().watchInterval();
        return interval.isZero() ? () -> { } : CertificateWatcher.start(serverTls, interval);
    }

    /** Argon2 is deliberately slow; it gets its own bounded threads so it never runs on an event loop. */
    @Bean(destroyMethod = "dispose")
    Scheduler hashingScheduler() {
        return Schedulers.newBoundedElastic(Math.max(2, Runtime.getRuntime().availableProcessors()), 10_000,
                "hato-auth");
    }

    @Bean(destroyMethod = "close")
    AuthWiring authWiring(HatoProperties properties, PgStore store, Scheduler hashingScheduler,
                          MeterRegistry meters) {
        return new AuthWiring(properties.auth(), store.directory(), store.auditLog(), hashingScheduler, meters,
                properties.dataDir().resolve("scram-decoy.secret"));
    }

    @Bean
    Authenticator authenticator(AuthWiring authWiring) {
        return authWiring.authenticator();
    }

    /** DKIM for outgoing mail: signs for every domain with an active key, unless hato.dkim.enabled=false. */
    @Bean
    MessageSigner messageSigner(HatoProperties properties, PgStore store) {
        HatoProperties.Dkim dkim = properties.dkim();
        return dkim.enabled() ? new DkimSigner(store.dkimKeys(), Clock.systemUTC(), dkim.keyCacheTtl())
                : MessageSigner.NONE;
    }

    /** The mail log (docs/operations.md): written by its own thread, closed after the listeners and the queue. */
    @Bean(destroyMethod = "close")
    MailLogWriter mailLog(HatoProperties properties) {
        HatoProperties.MailLog settings = properties.mailLog();
        return new MailLogWriter(settings.enabled() ? new MailLogWriter.FileSettings(properties.mailLogFile(),
                settings.maxFileSize().toBytes(), settings.maxFiles()) : null, 100_000);
    }

    /** Inbound authentication on the MTA port; its DNS resolver closes after the listeners. */
    @Bean(destroyMethod = "close")
    InboundWiring inbound(HatoProperties properties) {
        return new InboundWiring(properties);
    }

    /**
     * Each person's Sieve scripts as this node runs them at delivery: every change made here goes through this
     * object, so it applies to the next message at once.
     */
    @Bean
    ActiveScripts activeScripts(PgStore store) {
        return new ActiveScripts(store.sieveScripts(), Schedulers.boundedElastic());
    }

    @Bean
    MailListeners mailListeners(HatoProperties properties, PgStore store, ServerTls serverTls,
                                AuthWiring authWiring, MeterRegistry meters, MailLogWriter mailLog,
                                InboundWiring inbound, ActiveScripts activeScripts,
                                BackgroundMigrations backgroundMigrations) {
        Authenticator tokens = tokenAuthenticator(properties, store);
        return new MailListeners(properties, store, serverTls, authWiring.sasl(tokens), meters, mailLog,
                inbound.authenticator(), activeScripts, backgroundMigrations);
    }

    /**
     * The migrations the server runs by itself (issue 17): {@code hato migrate start}, and proxied first logins
     * where a domain migrates on login. Closed before the store; a pass it interrupts is due again at once. Scripts
     * carried over at a cutover go through this node's {@link ActiveScripts}, so they apply to the next message.
     */
    @Bean(destroyMethod = "close")
    BackgroundMigrations backgroundMigrations(HatoProperties properties, PgStore store, ActiveScripts activeScripts) {
        HatoProperties.Migration settings = properties.migration();
        Path spool = properties.dataDir().resolve("spool").resolve("migration");
        try {
            Files.createDirectories(spool);
            ImapCopy copier = new ImapCopy(store.mailboxes(), store.keptUids(), DeliveryWiring.indexer(),
                    Schedulers.boundedElastic(), new MailImport.Settings(properties.imap().appendLimit().toBytes(),
                    spool, properties.message().limits(), false), Clock.systemUTC(), settings.maxRate().toBytes());
            return new BackgroundMigrations(store.legacyBackends(), store.directory(),
                    MasterPasswords.of(properties.dataDir()), copier, store.blobs(), activeScripts,
                    new BackgroundMigrations.Settings(settings.pollInterval(), settings.passInterval(),
                            settings.parallel(), properties.hostName()), Clock.systemUTC()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the migrations' spool " + spool + " or read "
                    + MasterPasswords.SECRET_FILE + ": " + e.getMessage(), e);
        }
    }

    /** Bearer-token logins (OAUTHBEARER, XOAUTH2), or null when no token issuer is configured. */
    static @Nullable Authenticator tokenAuthenticator(HatoProperties properties, PgStore store) {
        HatoProperties.Token token = properties.auth().token();
        if (!token.enabled()) {
            return null;
        }
        TokenSettings settings = new TokenSettings(token.issuer(), token.audience(), token.authIdClaim(),
                token.clockSkew());
        return new TokenAuthenticator(new JwtVerifier(settings, tokenKeys(token)), store.directory(),
                Clock.systemUTC(), Duration.ofSeconds(10));
    }

    private static TokenKeySource tokenKeys(HatoProperties.Token token) {
        if (token.jwksUrl() != null) {
            RemoteJwks remote = new RemoteJwks(token.jwksUrl(), token.jwksRefresh(), Duration.ofSeconds(5),
                    Clock.systemUTC());
            remote.prefetch();
            return remote;
        }
        return TokenKeySource.fixed(token.publicKey() != null ? TokenKeys.publicKey(token.publicKey())
                : TokenKeys.hmacSecret(token.hmacSecret()));
    }

    /** Outbound delivery; closed before the store, so deliveries in progress can still record their outcome. */
    @Bean(destroyMethod = "close")
    OutboundWiring outbound(HatoProperties properties, PgStore store, MeterRegistry meters,
                            ObjectProvider<MessageSigner> signer, MailLogWriter mailLog) {
        return new OutboundWiring(properties, store, signer.getIfAvailable(() -> MessageSigner.NONE), meters,
                mailLog);
    }

    @Bean
    GatewayStatus statusSource(HatoProperties properties, PgStore store, ServerTls serverTls,
                               MailListeners listeners, WebmailListener webmail, HealthSummary healthSummary) {
        return new GatewayStatus(properties, store, serverTls, listeners, webmail, healthSummary::lines);
    }

    @Bean
    StartupBanner startupBanner(GatewayStatus statusSource) {
        return new StartupBanner(statusSource, System.out);
    }

    /**
     * The HTTP listeners' event loops and connection pools belong to this application, not to Reactor Netty's
     * process-wide resources: stopping one Hato (several run in one JVM in the tests) must not stop another's HTTP.
     */
    @Bean
    ReactorResourceFactory reactorResourceFactory() {
        ReactorResourceFactory resources = new ReactorResourceFactory();
        resources.setUseGlobalResources(false);
        return resources;
    }

    /**
     * What anyone on the HTTP port sees at {@code /}: that Hato runs. Its {@code /health} (up or down) is the
     * {@code public} health group ({@link MonitoringWiring}); the details are in {@link ManagementRoutes}.
     */
    @Bean
    RouterFunction<ServerResponse> statusRoutes() {
        return StatusRoutes.publicRoutes();
    }

    /**
     * Webmail on its HTTPS port ({@code hato.ports.https}), with the mail ports' certificate; logins through the
     * same guarded authenticator as IMAP, POP3 and SMTP.
     */
    @Bean
    WebmailListener webmailListener(HatoProperties properties, PgStore store, ServerTls serverTls,
                                    Authenticator authenticator, MailListeners mailListeners,
                                    ActiveScripts activeScripts) {
        HatoProperties.Webmail webmail = properties.webmail();
        WebSettings settings = new WebSettings(webmail.idleTimeout(), !serverTls.selfSigned(), webmail.maxSessions());
        return new WebmailListener(properties.bindAddress(), properties.ports().https(), serverTls,
                properties.http().idleTimeout(), properties.maxConnections(), properties.maxConnectionsPerAddress(),
                listener -> WebSite.httpHandler(settings, new WebmailLogins(authenticator), store.directory(),
                        store.mailboxes(),
                        store.blobs(), store.search(), store.addressBooks(), mailListeners.webmailSubmission(),
                        () -> clientSettings(properties, mailListeners, listener), activeScripts,
                        HatoApplication::sieveProblems, mailboxMoves(store),
                        new dev.hato.web.admin.AdminRoutes(store.mailboxes(), store.administrators(),
                                store.legacyBackends())));
    }

    /** A person's move from the old system (issue 17), for the webmail's settings page: route and copier status. */
    static dev.hato.web.settings.MailboxMoves mailboxMoves(PgStore store) {
        return accountId -> Mono.zip(store.legacyBackends().route(accountId),
                        store.legacyBackends().migration(accountId).map(java.util.Optional::of)
                                .defaultIfEmpty(java.util.Optional.empty()))
                .flatMap(both -> {
                    boolean onOldSystem = both.getT1().isLegacy();
                    dev.hato.store.legacy.MigrationStatus status = both.getT2().orElse(null);
                    if (!onOldSystem && status == null) {
                        return Mono.empty();
                    }
                    return Mono.just(new dev.hato.web.settings.MailboxMoves.Move(onOldSystem,
                            status == null ? null : status.state(), status == null ? 0 : status.copied(),
                            status == null ? null : status.verified(), status == null ? null : status.updatedAt()));
                });
    }

    /** The webmail's filter page checks a script with the engine delivery runs. */
    static java.util.List<dev.hato.web.filters.ScriptCheck.Problem> sieveProblems(String script) {
        try {
            dev.hato.sieve.SieveCompiler.compile(script);
            return java.util.List.of();
        } catch (dev.hato.sieve.CompileException refused) {
            return refused.problems().stream().map(problem -> new dev.hato.web.filters.ScriptCheck.Problem(
                    problem.at().line(), problem.at().column(), problem.message())).toList();
        }
    }

    /**
     * On the plain HTTP port: Thunderbird autoconfig, and webmail pages redirected to HTTPS. The management
     * listener's child context sees this context's routes too; they are not served there.
     */
    @Bean
    RouterFunction<ServerResponse> webmailPlainRoutes(HatoProperties properties, MailListeners mailListeners,
                                                      WebmailListener webmailListener, Environment environment) {
        RequestPredicate notManagement = request -> {
            String management = environment.getProperty("local.management.port");
            java.net.InetSocketAddress local = request.exchange().getRequest().getLocalAddress();
            return management == null || local == null || local.getPort() != Integer.parseInt(management);
        };
        return RouterFunctions.nest(notManagement,
                WebSite.plainRoutes(() -> clientSettings(properties, mailListeners, webmailListener)));
    }

    /** What mail software is told (the host name and the bound implicit-TLS ports), and mail servers (MTA-STS). */
    static ClientSettings clientSettings(HatoProperties properties, MailListeners listeners,
                                         WebmailListener webmail) {
        HatoProperties.Ports ports = properties.ports();
        return new ClientSettings(properties.hostName(), listeners.port("imaps").orElse(ports.imaps()),
                listeners.port("pop3s").orElse(ports.pop3s()),
                listeners.port("submissions").orElse(ports.submissions()), webmail.port(),
                properties.mtaSts().policy(properties.hostName()));
    }

    static StoreSettings storeSettings(HatoProperties properties) {
        HatoProperties.Store store = properties.store();
        return StoreSettings.defaults(properties.dataDir())
                .withUrl(store.url())
                .withUsername(store.username())
                .withPassword(store.password())
                .withEmbeddedPort(store.embeddedPort())
                .withPoolSize(store.poolSize());
    }

    static TlsSettings tlsSettings(HatoProperties properties) {
        HatoProperties.Tls tls = properties.tls();
        String type = tls.selfSignedKeyType();
        // Unset: keep a stored certificate of either type, EC for a new data directory (TlsSettings).
        TlsSettings.KeyType keyType = type == null ? null
                : type.equalsIgnoreCase("ec") ? TlsSettings.KeyType.EC : TlsSettings.KeyType.RSA;
        return new TlsSettings(properties.hostName(), properties.dataDir().resolve("tls"), tls.certificate(),
                tls.privateKey(), keyType, tls.certificates().stream()
                        .map(named -> new CertificateFiles(named.certificate(), named.privateKey())).toList());
    }
}
