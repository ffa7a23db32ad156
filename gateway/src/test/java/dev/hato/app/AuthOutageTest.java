package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSearchRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryInterceptedSimpleBindRequest;
import com.unboundid.ldap.listener.interceptor.InMemoryOperationInterceptor;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's incident, replayed: the university's LDAP goes down in the middle of a load. Mail keeps arriving (delivery
 * never asks the credential source), logins fail with each protocol's temporary code — never "wrong password" —
 * people verified shortly before keep working from the verifier cache, the health endpoint shows the open circuit,
 * and everything recovers by itself when the directory is back.
 */
class AuthOutageTest {

    private static final String BASE = "dc=campus,dc=test";
    private static final String DOMAIN = "campus.test";

    @TempDir
    Path dataDir;

    private InMemoryDirectoryServer ldap;
    private RunningHato hato;
    private final AtomicInteger ldapOperations = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        int port = RunningHato.freePort();
        InMemoryDirectoryServerConfig config = new InMemoryDirectoryServerConfig(BASE);
        config.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap",
                InetAddress.getByName("127.0.0.1"), port, null));
        config.addInMemoryOperationInterceptor(new InMemoryOperationInterceptor() {
            @Override
            public void processSearchRequest(InMemoryInterceptedSearchRequest request) {
                ldapOperations.incrementAndGet();
            }

            @Override
            public void processSimpleBindRequest(InMemoryInterceptedSimpleBindRequest request) {
                ldapOperations.incrementAndGet();
            }
        });
        ldap = new InMemoryDirectoryServer(config);
        ldap.add("dn: " + BASE, "objectClass: domain", "dc: campus");
        ldap.add("dn: ou=people," + BASE, "objectClass: organizationalUnit", "ou: people");
        ldap.startListening();
        hato = RunningHato.start(dataDir,
                "--hato.auth.ldap.campus.urls=ldap://127.0.0.1:" + port,
                "--hato.auth.ldap.campus.base-dn=ou=people," + BASE,
                "--hato.auth.ldap.campus.connect-timeout=1s",
                "--hato.auth.ldap.campus.response-timeout=1s",
                "--hato.auth.domains[" + DOMAIN + "]=ldap:campus",
                "--hato.auth.breaker.timeout=2s",
                "--hato.auth.breaker.minimum-number-of-calls=2",
                "--hato.auth.breaker.sliding-window-size=4",
                "--hato.auth.breaker.wait-duration-in-open-state=2s",
                "--hato.auth.breaker.permitted-calls-in-half-open=1",
                "--hato.auth.verifier-cache.enabled=true",
                "--hato.auth.verifier-cache.ttl=10m");
        hato.provisioning().addDomain(DOMAIN).block();
    }

    @AfterEach
    void stop() {
        hato.close();
        ldap.shutDown(true);
    }

    private RunningHato.User ldapUser(String prefix, String ldapPassword) throws Exception {
        RunningHato.User user = hato.newUser(prefix, DOMAIN);
        ldap.add("dn: uid=" + user.authId() + ",ou=people," + BASE, "objectClass: inetOrgPerson",
                "uid: " + user.authId(), "cn: " + prefix, "sn: " + prefix, "mail: " + user.address(),
                "userPassword: " + ldapPassword);
        return user;
    }

    @Test
    void anLdapOutageShouldNeitherStopDeliveryNorLookLikeAWrongPassword() throws Exception {
        RunningHato.User early = ldapUser("early", "early ldap password");
        RunningHato.User late = ldapUser("late", "late ldap password");

        assertThat(pop3Login(early, "early ldap password")).startsWith("+OK Logged in");
        assertThat(pop3Login(late, "wrong password")).startsWith("-ERR [AUTH]");
        assertThat(pop3Login(late, "pw-local-not-used")).as("the local hash is not the source here")
                .startsWith("-ERR [AUTH]");

        int before = ldapOperations.get();
        long normalStart = System.nanoTime();
        assertThat(deliver(late, 20, 5)).as("deliveries acknowledged with 250").isEqualTo(100);
        double normalRate = 100 / ((System.nanoTime() - normalStart) / 1e9);
        assertThat(ldapOperations.get()).as("delivery asked the directory nothing").isEqualTo(before);

        // The directory goes down in the middle of a load of 20 concurrent senders: each sends half its messages,
        // waits until the directory is down, then sends the other half.
        ExecutorService load = Executors.newSingleThreadExecutor();
        long outageStart = System.nanoTime();
        Outage outage = new Outage(new CountDownLatch(20), new CountDownLatch(1));
        Future<Integer> during = load.submit(() -> deliver(late, 20, 10, outage));
        assertThat(outage.halfway().await(2, TimeUnit.MINUTES)).as("every sender sent its first half").isTrue();
        ldap.shutDown(true);
        outage.begun().countDown();
        for (int i = 0; i < 3; i++) {
            assertThat(pop3Login(late, "late ldap password")).as("never 'wrong password' during the outage")
                    .startsWith("-ERR [SYS/TEMP]");
        }
        assertThat(smtpAuth(late, "late ldap password")).startsWith("454 4.7.0");
        assertThat(during.get()).as("deliveries acknowledged during the outage").isEqualTo(200);
        double outageRate = 200 / ((System.nanoTime() - outageStart) / 1e9);
        load.shutdown();
        // Reported, not asserted: rates belong in benchmarks (docs/benchmarks.md), not in pass/fail criteria.
        System.out.printf("delivery with LDAP up: %.0f msg/s, while LDAP went down: %.0f msg/s (%.0f %%)%n",
                normalRate, outageRate, 100 * outageRate / normalRate);
        assertThat(breaker()).isEqualTo("DOWN OPEN");
        assertThat(pop3Login(early, "early ldap password")).as("recently verified, from the verifier cache")
                .startsWith("+OK Logged in");
        assertThat(pop3Login(early, "a guess")).as("the cache never accepts another password")
                .startsWith("-ERR [SYS/TEMP]");

        ldap.startListening();
        // The breaker lets a probe through once its configured wait in the open state (2 s) has passed; until then
        // a login is refused at once as a temporary failure.
        String recovered = pop3Login(late, "late ldap password");
        for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                !recovered.startsWith("+OK") && System.nanoTime() < deadline;
                recovered = pop3Login(late, "late ldap password")) {
            assertThat(recovered).as("while the breaker is open").startsWith("-ERR [SYS/TEMP]");
            Thread.sleep(250);
        }
        assertThat(recovered).startsWith("+OK Logged in; maildrop has 300 messages");
        // The health endpoint may answer from its cache (2 s) for a moment longer.
        Eventually.until(() -> {
            try {
                return breaker().equals("UP CLOSED");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, "the closed circuit in the health", Duration.ofSeconds(30));
    }

    /** Senders that stop half-way until an outage has begun: {@code halfway} counts them down, then they await. */
    private record Outage(CountDownLatch halfway, CountDownLatch begun) {
    }

    /** Sends {@code perConnection} messages over each of {@code connections} concurrent SMTP connections. */
    private int deliver(RunningHato.User to, int connections, int perConnection) throws Exception {
        return deliver(to, connections, perConnection, null);
    }

    /** As above; with an {@code outage}, each connection sends half, then waits for the outage to begin. */
    private int deliver(RunningHato.User to, int connections, int perConnection, @Nullable Outage outage)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                results.add(pool.submit(() -> {
                    int acknowledged = 0;
                    try (SocketTransport smtp = new SocketTransport(hato.port("smtp"), false)) {
                        smtp.readLine();
                        smtp.send("HELO sender.test\r\n".getBytes(StandardCharsets.US_ASCII));
                        smtp.readLine();
                        for (int m = 0; m < perConnection; m++) {
                            if (outage != null && m == perConnection / 2) {
                                outage.halfway().countDown();
                                if (!outage.begun().await(2, TimeUnit.MINUTES)) {
                                    throw new AssertionError("the outage never began");
                                }
                            }
                            smtp.send(("MAIL FROM:<load@sender.test>\r\nRCPT TO:<" + to.address()
                                    + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
                            smtp.readLine();
                            smtp.readLine();
                            smtp.readLine();
                            smtp.send(("Subject: load " + m + "\r\n\r\n" + "x".repeat(10_000) + "\r\n.\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                            if (smtp.readLine().startsWith("250 ")) {
                                acknowledged++;
                            }
                        }
                    }
                    return acknowledged;
                }));
            }
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get();
            }
            return total;
        } finally {
            pool.shutdownNow();
        }
    }

    private String pop3Login(RunningHato.User user, String password) throws Exception {
        try (SocketTransport pop = new SocketTransport(hato.port("pop3s"), true)) {
            pop.readLine();
            String plain = Base64.getEncoder().encodeToString(("\0" + user.authId() + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8));
            pop.send(("AUTH PLAIN " + plain + "\r\n").getBytes(StandardCharsets.US_ASCII));
            String reply = pop.readLine();
            pop.send("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            pop.readLine(); // the maildrop lock is released before QUIT is answered; wait for it
            return reply;
        }
    }

    private String smtpAuth(RunningHato.User user, String password) throws Exception {
        try (SocketTransport smtp = new SocketTransport(hato.port("submissions"), true)) {
            smtp.readLine();
            smtp.send("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line = smtp.readLine(); line.startsWith("250-"); line = smtp.readLine()) {
                // skip the extension list
            }
            String plain = Base64.getEncoder().encodeToString(("\0" + user.authId() + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8));
            smtp.send(("AUTH PLAIN " + plain + "\r\n").getBytes(StandardCharsets.US_ASCII));
            return smtp.readLine();
        }
    }

    /** The health of the LDAP source on the management listener: its status and its breaker's state. */
    private String breaker() throws Exception {
        com.fasterxml.jackson.databind.JsonNode source = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(health()).at("/components/credentialSources/components/ldap:campus");
        return source.at("/status").asText() + " " + source.at("/details/breaker").asText();
    }

    private String health() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + hato.managementPort() + "/actuator/health")).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
