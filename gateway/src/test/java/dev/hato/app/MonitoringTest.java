package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Monitoring as an operator sees it, over real sockets: mail over SMTP (plain and STARTTLS with a login), a POP3
 * session over implicit TLS and a client that is not speaking TLS, then {@code /actuator/prometheus} on the management
 * listener must have moved by exactly what was done; {@code /actuator/health} shows the store, the outbound queue
 * (WARNING once a queued message is older than the delay notice) and each credential source (DOWN when its LDAP
 * server is down and its breaker opened), while the public {@code /health} keeps answering only whether the store is
 * up; and every metric the Grafana dashboard in docs queries exists in a real scrape.
 */
class MonitoringTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LDAP_DOMAIN = "campus.test";

    @TempDir
    static Path dataDir;

    private static RunningHato hato;

    @BeforeAll
    static void start() throws Exception {
        // Nothing listens on the LDAP port: the source fails at once, as a directory that went down does.
        hato = RunningHato.start(dataDir, "--hato.outbound.enabled=false",
                "--hato.max-connections-per-address=3",
                "--hato.metrics.queue-interval=200ms",
                "--hato.outbound.delay-notice=1s",
                "--hato.auth.ldap.campus.urls=ldap://127.0.0.1:" + RunningHato.freePort(),
                "--hato.auth.ldap.campus.base-dn=ou=people,dc=campus,dc=test",
                "--hato.auth.ldap.campus.connect-timeout=1s",
                "--hato.auth.domains[" + LDAP_DOMAIN + "]=ldap:campus",
                "--hato.auth.breaker.minimum-number-of-calls=2",
                "--hato.auth.breaker.sliding-window-size=2",
                "--hato.auth.breaker.wait-duration-in-open-state=1h");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block();
        hato.provisioning().addDomain(LDAP_DOMAIN).block();
    }

    @AfterAll
    static void stop() {
        hato.close();
    }

    @Test
    void theMetersShouldMoveByExactlyWhatClientsDid() throws Exception {
        RunningHato.User user = hato.newUser("meters");
        Scrape before = Scrape.of(hato.managementPort());

        String content = "Subject: metered\r\n\r\n" + "x".repeat(1000) + "\r\n";
        long mtaBytes = mtaSession(user, content);
        long submissionBytes = submissionSession(user, content);
        popSession(user);
        try (java.net.Socket notTls = new java.net.Socket("127.0.0.1", hato.port("pop3s"))) {
            notTls.getOutputStream().write("USER nobody\r\n".getBytes(StandardCharsets.US_ASCII));
            notTls.setSoTimeout(30_000);
            assertThat(notTls.getInputStream().read()).as("closed after the failed handshake").isEqualTo(-1);
        }
        new java.net.Socket("127.0.0.1", hato.port("pop3s")).close(); // gone before any handshake
        Eventually.until(() -> scrape().delta(before, "hato_tls_handshakes_total", "listener", "pop3s",
                "outcome", "failure") == 2, "the failed handshakes counted", Duration.ofSeconds(30));
        List<SocketTransport> imap = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                imap.add(new SocketTransport(hato.port("imap"), false));
            }
            List<String> greetings = new ArrayList<>();
            for (SocketTransport connection : imap) {
                greetings.add(connection.readLine());
            }
            // Which of the four is refused depends on the order the event loops see them; one of them is.
            assertThat(greetings).filteredOn(line -> line.startsWith("* OK")).hasSize(3);
            assertThat(greetings).filteredOn(line -> line.startsWith("* BYE [UNAVAILABLE] Too many connections"))
                    .hasSize(1);
        } finally {
            imap.forEach(SocketTransport::close);
        }
        Eventually.until(() -> scrape().delta(before, "hato_outbound_queue_recipients") == 1,
                "the queue gauge sampled", Duration.ofSeconds(30));
        Scrape after = Scrape.of(hato.managementPort());

        assertThat(after.delta(before, "hato_connections_total", "listener", "smtp", "protocol", "smtp"))
                .isEqualTo(1);
        assertThat(after.delta(before, "hato_connections_total", "listener", "submission")).isEqualTo(1);
        Eventually.until(() -> scrape().value("hato_connections_active", "listener", "smtp") == 0,
                "the SMTP connections closed", Duration.ofSeconds(30));

        assertThat(after.delta(before, "hato_smtp_received_bytes_total", "listener", "smtp")).isEqualTo(mtaBytes);
        assertThat(after.delta(before, "hato_smtp_received_bytes_total", "listener", "submission"))
                .isEqualTo(submissionBytes);
        // smtp: greeting, EHLO, MAIL, RCPT (unknown), RCPT, DATA, end of data, QUIT.
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "smtp", "code", "220")).isEqualTo(1);
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "smtp", "code", "250")).isEqualTo(4);
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "smtp", "code", "354")).isEqualTo(1);
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "smtp", "class", "5xx")).isEqualTo(1);
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "smtp", "code", "221")).isEqualTo(1);
        assertThat(after.delta(before, "hato_smtp_rejections_total", "listener", "smtp", "stage", "RCPT"))
                .isEqualTo(1);
        // submission: greeting, EHLO, STARTTLS (220), EHLO, AUTH, MAIL, RCPT, DATA, end of data, QUIT.
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "submission", "code", "220"))
                .isEqualTo(2);
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "submission", "code", "250"))
                .isEqualTo(5);
        assertThat(after.delta(before, "hato_smtp_replies_total", "listener", "submission", "code", "235"))
                .isEqualTo(1);
        for (String listener : List.of("smtp", "submission")) {
            assertThat(after.delta(before, "hato_smtp_transactions_total", "listener", listener, "outcome",
                    "received")).as(listener).isEqualTo(1);
            assertThat(after.delta(before, "hato_smtp_message_size_bytes_count", "listener", listener))
                    .as(listener).isEqualTo(1);
            assertThat(after.delta(before, "hato_smtp_message_size_bytes_sum", "listener", listener))
                    .as(listener).isGreaterThanOrEqualTo(content.length());
        }

        assertThat(after.delta(before, "hato_tls_handshakes_total", "listener", "submission", "mode", "starttls",
                "outcome", "success", "version", "TLSv1.3")).isEqualTo(1);
        assertThat(after.delta(before, "hato_tls_handshakes_total", "listener", "pop3s", "mode", "implicit",
                "outcome", "success", "version", "TLSv1.3")).isEqualTo(1);
        assertThat(after.delta(before, "hato_tls_handshakes_total", "listener", "pop3s", "outcome", "failure",
                "reason", "error")).isEqualTo(1);
        assertThat(after.delta(before, "hato_tls_handshakes_total", "listener", "pop3s", "outcome", "failure",
                "reason", "closed")).isEqualTo(1);
        assertThat(after.delta(before, "hato_connections_total", "listener", "pop3s")).isEqualTo(3);
        assertThat(after.delta(before, "hato_connections_total", "listener", "imap", "protocol", "imap"))
                .isEqualTo(4);
        assertThat(after.delta(before, "hato_connections_refused_total", "listener", "imap", "reason",
                "per_address")).isEqualTo(1);

        for (String command : List.of("User", "Pass", "Stat", "Retr", "Quit")) {
            assertThat(after.delta(before, "hato_pop3_commands_total", "command", command)).as(command)
                    .isEqualTo(1);
        }
        assertThat(after.delta(before, "hato_pop3_logins_total", "outcome", "success")).isEqualTo(1);

        // Two messages, each one delivery through the group commit (one local, one queued for a remote domain).
        assertThat(after.delta(before, "hato_delivery_batch_size_sum")).isEqualTo(2);
        double batches = after.delta(before, "hato_delivery_batch_size_count");
        assertThat(batches).isBetween(1.0, 2.0);
        assertThat(after.delta(before, "hato_delivery_batch_commit_seconds_count", "outcome", "committed"))
                .isEqualTo(batches);
        assertThat(after.value("hato_outbound_queue_messages")).isGreaterThanOrEqualTo(1);
        assertThat(after.value("hato_outbound_queue_sample_age_seconds")).isLessThan(60);
    }

    @Test
    void healthShouldShowEveryComponentAndThePublicHealthOnlyTheStore() throws Exception {
        JsonNode health = JSON.readTree(get(hato.managementPort(), "/actuator/health").body());
        assertThat(health.at("/components/store/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/credentialSources/components/local/status").asText()).isEqualTo("UP");
        assertThat(health.at("/components/credentialSources/components/ldap:campus/status").asText())
                .isEqualTo("UP");
        assertThat(health.at("/components/credentialSources/components/ldap:campus/details/breaker").asText())
                .isEqualTo("CLOSED");

        // A message for another domain waits (nothing is sent out here) longer than the delay notice of 1 s.
        RunningHato.User sender = hato.newUser("health");
        submissionSession(sender, "Subject: waits\r\n\r\nfor ever\r\n");
        Eventually.until(() -> "WARNING".equals(health().at("/components/outboundQueue/status").asText()),
                "the queue warning", Duration.ofSeconds(60));
        HttpResponse<String> warning = get(hato.managementPort(), "/actuator/health");
        assertThat(warning.statusCode()).as("WARNING still answers 200").isEqualTo(200);
        JsonNode queue = JSON.readTree(warning.body()).at("/components/outboundQueue");
        assertThat(queue.at("/status").asText()).isEqualTo("WARNING");
        assertThat(queue.at("/details/recipients").asLong()).isPositive();
        assertThat(queue.at("/details/oldestAgeSeconds").asLong()).isGreaterThanOrEqualTo(1);

        // The directory is down: two logins fail as temporary failures and the breaker opens.
        RunningHato.User campus = hato.newUser("campus", LDAP_DOMAIN);
        for (int i = 0; i < 2; i++) {
            try (SocketTransport pop = new SocketTransport(hato.port("pop3s"), true)) {
                pop.readLine();
                pop.send(("USER " + campus.authId() + "\r\nPASS whatever\r\n").getBytes(StandardCharsets.UTF_8));
                pop.readLine();
                assertThat(pop.readLine()).startsWith("-ERR [SYS/TEMP]");
            }
        }
        Eventually.until(() -> "DOWN".equals(health().at(
                "/components/credentialSources/components/ldap:campus/status").asText()),
                "the open breaker in the health", Duration.ofSeconds(30));
        HttpResponse<String> down = get(hato.managementPort(), "/actuator/health");
        assertThat(down.statusCode()).isEqualTo(503);
        JsonNode downHealth = JSON.readTree(down.body());
        assertThat(downHealth.at("/status").asText()).isEqualTo("DOWN");
        assertThat(downHealth.at("/components/credentialSources/components/ldap:campus/details/breaker").asText())
                .isEqualTo("OPEN");
        assertThat(downHealth.at("/components/store/status").asText()).isEqualTo("UP");

        // The status page shows the same health, one line per component.
        assertThat(get(hato.managementPort(), "/").body()).contains("store: UP", "outboundQueue: WARNING (recipients=",
                "credentialSources/local: UP", "credentialSources/ldap:campus: DOWN (breaker=OPEN)");

        // Anyone on the HTTP port: the store answers, so Hato is up; no component, no detail.
        HttpResponse<String> open = get(hato.httpPort(), "/health");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).isEqualTo("{\"status\":\"UP\"}");
        for (String component : List.of("/health/store", "/health/credentialSources", "/health/outboundQueue",
                "/health/credentialSources/ldap:campus")) {
            HttpResponse<String> inside = get(hato.httpPort(), component);
            assertThat(inside.statusCode()).as(component).isEqualTo(404);
            assertThat(inside.body()).as(component).doesNotContain("database", "breaker", "DOWN", "recipients");
        }
        assertThat(get(hato.managementPort(), "/health").statusCode()).as("no second, hand-written health")
                .isEqualTo(404);
    }

    @Test
    void everyMetricTheDashboardQueriesShouldExistInARealScrape() throws Exception {
        JsonNode dashboard = JSON.readTree(Files.readString(Path.of("../docs/grafana/hato-dashboard.json")));
        assertThat(dashboard.at("/templating/list").findValuesAsText("type")).contains("datasource");
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.get("expr").asText());
                assertThat(target.at("/datasource/uid").asText()).isEqualTo("${datasource}");
            }
        }
        assertThat(expressions).hasSizeGreaterThan(10);
        Set<String> queried = new TreeSet<>();
        Matcher names = Pattern.compile("\\b(hato_[a-z0-9_]+)").matcher(String.join("\n", expressions));
        while (names.find()) {
            queried.add(names.group(1));
        }
        // A series appears once its meter exists: a short SMTP and POP3 session create the per-code ones.
        RunningHato.User user = hato.newUser("dashboard");
        mtaSession(user, "Subject: dashboard\r\n\r\nhello\r\n");
        popSession(user);
        try (SocketTransport imap = new SocketTransport(hato.port("imaps"), true)) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send(("a LOGIN \"" + user.authId() + "\" \"" + user.password() + "\"\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            String line = imap.readLine();
            while (line.startsWith("* ")) {
                line = imap.readLine();
            }
            assertThat(line).startsWith("a OK");
        }
        Set<String> scraped = Scrape.of(hato.managementPort()).names();
        assertThat(scraped).as("metrics the dashboard queries").containsAll(queried);
    }

    private static Scrape scrape() {
        try {
            return Scrape.of(hato.managementPort());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode health() {
        try {
            return JSON.readTree(get(hato.managementPort(), "/actuator/health").body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One message to {@code to} on the MTA port, after a RCPT to an unknown user; the octets the client sent. */
    private static long mtaSession(RunningHato.User to, String content) throws Exception {
        Client smtp = new Client(new SocketTransport(hato.port("smtp"), false));
        try (smtp) {
            assertThat(smtp.reply()).startsWith("220 ");
            smtp.send("EHLO client.test\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("MAIL FROM:<someone@client.test>\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("RCPT TO:<nobody-here@" + RunningHato.DOMAIN + ">\r\n");
            assertThat(smtp.reply()).startsWith("5");
            smtp.send("RCPT TO:<" + to.address() + ">\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("DATA\r\n");
            assertThat(smtp.reply()).startsWith("354 ");
            smtp.send(content + ".\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("QUIT\r\n");
            assertThat(smtp.reply()).startsWith("221 ");
        }
        return smtp.sent;
    }

    /** One message from {@code from} to another domain on the submission port, after STARTTLS and AUTH PLAIN. */
    private static long submissionSession(RunningHato.User from, String content) throws Exception {
        Client smtp = new Client(new SocketTransport(hato.port("submission"), false));
        try (smtp) {
            assertThat(smtp.reply()).startsWith("220 ");
            smtp.send("EHLO client.test\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("STARTTLS\r\n");
            assertThat(smtp.reply()).startsWith("220 ");
            smtp.transport.startTls();
            smtp.send("EHLO client.test\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("AUTH PLAIN " + from.plain() + "\r\n");
            assertThat(smtp.reply()).startsWith("235 ");
            smtp.send("MAIL FROM:<" + from.address() + ">\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("RCPT TO:<someone@elsewhere.test>\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("DATA\r\n");
            assertThat(smtp.reply()).startsWith("354 ");
            smtp.send(content + ".\r\n");
            assertThat(smtp.reply()).startsWith("250 ");
            smtp.send("QUIT\r\n");
            assertThat(smtp.reply()).startsWith("221 ");
        }
        return smtp.sent;
    }

    /** USER, PASS, STAT, RETR 1 and QUIT over implicit TLS. */
    private static void popSession(RunningHato.User user) throws Exception {
        try (SocketTransport pop = new SocketTransport(hato.port("pop3s"), true)) {
            assertThat(pop.readLine()).startsWith("+OK");
            pop.send(("USER " + user.authId() + "\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(pop.readLine()).startsWith("+OK");
            pop.send(("PASS " + user.password() + "\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(pop.readLine()).startsWith("+OK Logged in");
            pop.send("STAT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(pop.readLine()).startsWith("+OK 1 ");
            pop.send("RETR 1\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(pop.readLine()).startsWith("+OK");
            for (String line = pop.readLine(); !line.equals("."); line = pop.readLine()) {
                assertThat(line).doesNotStartWith("-ERR");
            }
            pop.send("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(pop.readLine()).startsWith("+OK");
        }
    }

    /** An SMTP client that counts the octets it sends and reads a reply to its last line. */
    private static final class Client implements AutoCloseable {
        final SocketTransport transport;
        long sent;

        Client(SocketTransport transport) {
            this.transport = transport;
        }

        void send(String text) throws Exception {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            sent += bytes.length;
            transport.send(bytes);
        }

        String reply() throws Exception {
            String line = transport.readLine();
            while (line.length() > 3 && line.charAt(3) == '-') {
                line = transport.readLine();
            }
            return line;
        }

        @Override
        public void close() {
            transport.close();
        }
    }
}
