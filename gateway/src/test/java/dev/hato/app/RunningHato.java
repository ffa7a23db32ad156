package dev.hato.app;

import dev.hato.auth.Authenticator;
import dev.hato.auth.PasswordHasher;
import dev.hato.provisioning.Provisioning;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.pg.PgStore;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.scheduler.Schedulers;

/**
 * A real Hato in this JVM: embedded PostgreSQL in a temporary data directory, every listener on a free port of
 * 127.0.0.1, the self-signed certificate. Tests talk to it through real sockets.
 */
final class RunningHato implements AutoCloseable {

    static final String DOMAIN = "example.test";
    static final String HOST = "mail.example.test";
    static final String TOKEN_ISSUER = "https://portal.example.test";
    static final String TOKEN_SECRET = "test-only-hmac-secret-0123456789abcdef";

    private static final AtomicInteger USERS = new AtomicInteger();

    private static RunningHato shared;

    private final Path dataDir;
    private final ConfigurableApplicationContext context;

    private RunningHato(Path dataDir, ConfigurableApplicationContext context) {
        this.dataDir = dataDir;
        this.context = context;
    }

    /** One server for all test classes that do not restart it; stopped when the test JVM exits. */
    static synchronized RunningHato shared() {
        if (shared == null) {
            try {
                Path dir = java.nio.file.Files.createTempDirectory("hato-test-");
                // Mail for other domains is queued but not sent: no test talks to a DNS server or MX it does not run.
                // Every test client is 127.0.0.1: the harvesting limits (RecipientHarvestingTest) must not add up
                // over the whole suite, nor slow the scripts that try several unknown recipients.
                // The login throttle keeps its counts but waits milliseconds, not seconds: every script's failed
                // logins come from 127.0.0.1 and would otherwise wait up to 15 s each (the delays themselves are
                // tested on servers of their own, startForLogins).
                // Background migrations (MigrateStartTest) look every half second and pass again after two.
                shared = start(dir, "--hato.outbound.enabled=false",
                        "--hato.migration.poll-interval=500ms", "--hato.migration.pass-interval=2s",
                        "--hato.smtp.unknown-recipients.per-client=1000000",
                        "--hato.smtp.unknown-recipients.free=20",
                        "--hato.auth.throttle.first-delay=5ms", "--hato.auth.throttle.max-delay=20ms");
                shared.provisioning().addDomain(DOMAIN).block();
                shared.provisioning().addUser("postmaster@" + DOMAIN, "Postmaster", null, "postmaster-secret")
                        .block();
                Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return shared;
    }

    static RunningHato start(Path dataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--hato.data-dir=" + dataDir,
                "--hato.host-name=" + HOST,
                "--hato.bind-address=127.0.0.1",
                "--hato.ports.smtp=0", "--hato.ports.submissions=0", "--hato.ports.submission=0",
                "--hato.ports.pop3=0", "--hato.ports.pop3s=0", "--hato.ports.imap=0", "--hato.ports.imaps=0",
                "--hato.ports.http=0", "--hato.ports.management=0", "--hato.ports.https=0", "--hato.ports.managesieve=0",
                "--hato.smtp.max-message-size=2MB",
                "--hato.auth.token.issuer=" + TOKEN_ISSUER,
                "--hato.smtp.postmaster=postmaster@" + DOMAIN));
        if (java.util.Arrays.stream(extra).noneMatch(arg -> arg.startsWith("--hato.auth.token.jwks-url="))) {
            args.add("--hato.auth.token.hmac-secret=" + TOKEN_SECRET);
        }
        if (java.util.Arrays.stream(extra).noneMatch(arg -> arg.startsWith("--hato.inbound.dns-servers="))) {
            // Inbound authentication asks DNS about every test sender: a local server that knows nothing answers
            // at once (NXDOMAIN: spf=none, dmarc=none), so no test waits for a resolver it cannot reach.
            args.add("--hato.inbound.dns-servers=" + quietDns().address());
        }
        args.addAll(List.of(extra));
        ConfigurableApplicationContext context = new SpringApplicationBuilder(HatoApplication.class)
                .registerShutdownHook(false)
                .initializers(new StrictSettings())
                .run(args.toArray(String[]::new));
        return new RunningHato(dataDir, context);
    }

    /**
     * A Hato of its own for login tests, with the test domain: the throttle's delays are a few milliseconds so the
     * tests run quickly, its counts the defaults; nothing is sent out; {@code extra} settings on top.
     */
    static RunningHato startForLogins(Path dataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of("--hato.outbound.enabled=false",
                "--hato.auth.throttle.first-delay=5ms", "--hato.auth.throttle.max-delay=20ms"));
        args.addAll(List.of(extra));
        RunningHato hato = start(dataDir, args.toArray(String[]::new));
        hato.provisioning().addDomain(DOMAIN).block();
        return hato;
    }

    private static TestDnsServer quietDns;

    /** The DNS server of every test server that does not name its own; it has no records. */
    static synchronized TestDnsServer quietDns() {
        if (quietDns == null) {
            try {
                quietDns = new TestDnsServer();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return quietDns;
    }

    /** A port nothing listens on right now, on 127.0.0.1. */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    Path dataDir() {
        return dataDir;
    }

    int port(String listener) {
        return context.getBean(MailListeners.class).port(listener)
                .orElseThrow(() -> new IllegalArgumentException("no listener " + listener));
    }

    int httpPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.server.port", "-1"));
    }

    /** The webmail's HTTPS port. */
    int httpsPort() {
        return context.getBean(WebmailListener.class).port();
    }

    /** The management listener's port (status details, actuator), on 127.0.0.1. */
    int managementPort() {
        return Integer.parseInt(context.getEnvironment().getProperty("local.management.port", "-1"));
    }

    MailListeners listeners() {
        return context.getBean(MailListeners.class);
    }

    PgStore store() {
        return context.getBean(PgStore.class);
    }

    /** People's Sieve scripts, as this node's delivery runs them (changes through it apply at once). */
    dev.hato.delivery.ActiveScripts scripts() {
        return context.getBean(dev.hato.delivery.ActiveScripts.class);
    }

    Authenticator authenticator() {
        return context.getBean(Authenticator.class);
    }

    /** The messages in the user's INBOX, in UID order. */
    List<MessageMeta> inbox(User user) {
        long inbox = store().mailboxes().find(user.accountId(), "INBOX").block(Duration.ofSeconds(30)).id();
        return store().mailboxes().messages(user.accountId(), inbox).collectList().block(Duration.ofSeconds(30));
    }

    /** The stored octets of a message. */
    byte[] content(MessageMeta message) {
        return store().blobs().content(message.blobId())
                .reduce(ByteBuffer.allocate(Math.toIntExact(message.size())), ByteBuffer::put)
                .block(Duration.ofSeconds(30)).array();
    }

    Provisioning provisioning() {
        return new Provisioning(store().directory(), PasswordHasher.DEFAULT, Schedulers.boundedElastic());
    }

    /** A fresh account in {@link #DOMAIN}, so tests never see each other's mail. */
    User newUser(String prefix) {
        return newUser(prefix, DOMAIN);
    }

    User newUser(String prefix, String domain) {
        String address = prefix + USERS.incrementAndGet() + "@" + domain;
        String password = "pw-local-" + prefix + "-" + System.nanoTime();
        Provisioning.Created created = provisioning().addUser(address, prefix, null, password).block();
        return new User(created.account().authId(), address, password, created.account().id());
    }

    @Override
    public synchronized void close() {
        if (context.isActive()) {
            context.close();
        }
    }

    record User(String authId, String address, String password, long accountId) {
        /** An access token for this user as the test portal would issue it (HS256, valid for an hour). */
        String token() {
            try {
                return dev.hato.auth.token.TestTokens.hs256(dev.hato.auth.token.TokenKeys.hmacSecret(TOKEN_SECRET),
                        dev.hato.auth.token.TestTokens.claims(TOKEN_ISSUER, authId,
                                java.time.Instant.now().getEpochSecond() + 3600));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        String plain() {
            return Base64.getEncoder().encodeToString(("\0" + authId + "\0" + password)
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
