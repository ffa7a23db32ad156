package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hato.outbound.MxRecord;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mail log end to end (docs/operations.md): real mail over SMTP into a Hato whose outbound queue reaches test
 * servers through a loopback DNS server (one accepts, one refuses once with 451 then accepts, one refuses with
 * 550); the JSON lines of {@code <data-dir>/log/mail.log} must tell each message's story, and {@code hato log
 * search} must print it. Assertions are on the content of the events, never on timing.
 */
class MailLogTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern ID = Pattern.compile("message (\\S+) stored");

    private static TestDnsServer dns;
    private static final List<TestSmtpServer> SERVERS = new ArrayList<>();
    private static RunningHato hato;
    private static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer();
        int port = LoopbackPorts.freeOnAll("127.0.0.2", "127.0.0.3", "127.0.0.4");
        SERVERS.add(TestSmtpServer.on("127.0.0.2", port).start());
        SERVERS.add(TestSmtpServer.on("127.0.0.3", port)
                .rcpt((address, attempt) -> attempt == 1 ? "451 4.3.0 try again later" : "250 2.1.5 ok").start());
        SERVERS.add(TestSmtpServer.on("127.0.0.4", port)
                .rcpt((address, attempt) -> "550 5.1.1 <" + address + ">: no such user").start());
        String[] domains = {"accept.test", "later.test", "reject.test"};
        for (int i = 0; i < domains.length; i++) {
            dns.mx(domains[i], new MxRecord(10, "mx." + domains[i]));
            dns.a("mx." + domains[i], "127.0.0." + (i + 2));
        }
        dataDir = Files.createTempDirectory("hato-maillog-test-");
        hato = RunningHato.start(dataDir,
                "--hato.outbound.dns-servers=" + dns.address(),
                "--hato.outbound.remote-port=" + port,
                "--hato.outbound.first-retry=300ms",
                "--hato.outbound.max-retry=600ms",
                "--hato.outbound.poll-interval=200ms");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (hato != null) {
            hato.close();
        }
        for (TestSmtpServer server : SERVERS) {
            server.close();
        }
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void aMessageFromAnotherServerShouldBeLoggedAsReceivedAndDeliveredWithItsMailboxAndUid() throws Exception {
        RunningHato.User carol = hato.newUser("carol");
        String id = send("smtp", null, "someone@remote.example", carol.address());

        Map<String, Object> received = await(event("received", id));
        assertThat(received).containsEntry("client", "127.0.0.1").containsEntry("helo", "client.example.test")
                .containsEntry("tls", false).containsEntry("from", "someone@remote.example")
                .containsEntry("to", List.of(carol.address())).doesNotContainKey("auth");
        assertThat(((Number) received.get("size")).longValue()).isPositive();
        Map<String, Object> delivered = await(event("delivered", id));
        long uid = hato.inbox(carol).get(0).uid();
        assertThat(delivered).containsEntry("to", carol.address()).containsEntry("mailbox", "INBOX")
                .containsEntry("account", (int) carol.accountId());
        assertThat(((Number) delivered.get("uid")).longValue()).isEqualTo(uid);
        assertThat(lines()).noneMatch(line -> line.contains("hello from another MTA"));
    }

    @Test
    void refusalsShouldBeLoggedWithTheirStageReplyAndClient() throws Exception {
        String unknown = "nobody-here@" + RunningHato.DOMAIN;
        List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<x@remote.example>",
                "RCPT TO:<" + unknown + ">");
        assertThat(replies.get(1)).startsWith("550");

        Map<String, Object> rejected = await(e -> "rejected".equals(e.get("event")) && unknown.equals(e.get("to")));
        assertThat(rejected).containsEntry("stage", "RCPT").containsEntry("code", "550")
                .containsEntry("client", "127.0.0.1").containsEntry("from", "x@remote.example");
        assertThat((String) rejected.get("reply")).startsWith("550 5.1.1");

        List<String> data = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<y@remote.example>", "DATA");
        assertThat(data.get(1)).startsWith("5");
        Map<String, Object> atData = await(e -> "rejected".equals(e.get("event")) && "DATA".equals(e.get("stage"))
                && "y@remote.example".equals(e.get("from")));
        assertThat((String) atData.get("code")).startsWith("5");
    }

    @Test
    void submittedMailShouldBeLoggedAsQueuedThenRelayedDeferredAndBouncedAndFoundByLogSearch() throws Exception {
        RunningHato.User alice = hato.newUser("alice");
        String ok = "ok@accept.test";
        String later = "someone@later.test";
        String nobody = "nobody@reject.test";
        String id = send("smtps", alice, alice.address(), ok, later, nobody);

        Map<String, Object> received = await(event("received", id));
        assertThat(received).containsEntry("auth", alice.authId()).containsEntry("tls", true)
                .containsEntry("to", List.of(ok, later, nobody));
        Map<String, Object> queued = await(event("queued", id).and(e -> ok.equals(e.get("to"))));
        Object queueId = queued.get("queue_id");
        assertThat(queueId).isNotNull();
        Predicate<Map<String, Object>> ofQueue = e -> queueId.equals(e.get("queue_id"));

        Map<String, Object> relayed = await(ofQueue.and(e -> "relayed".equals(e.get("event"))
                && ok.equals(e.get("to"))));
        assertThat((String) relayed.get("relay")).contains("mx.accept.test");
        assertThat(relayed).containsEntry("tls", false).doesNotContainKeys("tls_protocol", "tls_cipher");
        assertThat((String) relayed.get("reply")).contains("250");
        Map<String, Object> deferred = await(ofQueue.and(e -> "deferred".equals(e.get("event"))
                && later.equals(e.get("to"))));
        assertThat((String) deferred.get("reason")).contains("451 4.3.0");
        assertThat(deferred).containsKey("next_attempt");
        await(ofQueue.and(e -> "relayed".equals(e.get("event")) && later.equals(e.get("to"))));
        Map<String, Object> bounced = await(ofQueue.and(e -> "bounced".equals(e.get("event"))
                && nobody.equals(e.get("to"))));
        assertThat((String) bounced.get("reason")).contains("550 5.1.1");
        assertThat(bounced).containsEntry("dsn", true);
        assertThat(lines()).noneMatch(line -> line.contains(alice.password()));

        // hato log search: the whole story, by either id, in the order it was written.
        CliRun byId = CliRun.of(dataDir, "", "log", "search", "--queue-id", id);
        assertThat(byId.status()).as(byId.err()).isZero();
        List<String> story = byId.lines().stream().map(line -> line.split("  ", 2)[1].split(" ")[0]).toList();
        assertThat(story.get(0)).isEqualTo("event=received");
        assertThat(story).contains("event=queued", "event=relayed", "event=deferred", "event=bounced");
        assertThat(story.indexOf("event=deferred")).isLessThan(story.lastIndexOf("event=relayed"));
        CliRun byQueue = CliRun.of(dataDir, "", "log", "search", "--queue-id", queueId.toString(), "--json");
        assertThat(byQueue.lines()).isEqualTo(CliRun.of(dataDir, "", "log", "search", "--queue-id", id, "--json")
                .lines());
        assertThat(JSON.readValue(byQueue.lines().get(0), Map.class)).containsEntry("event", "received")
                .containsEntry("id", id);
        CliRun byAddress = CliRun.of(dataDir, "", "log", "search", "--address", nobody.toUpperCase());
        assertThat(byAddress.out()).contains("event=received id=" + id).contains("event=bounced");
    }

    /** Sends a short message over {@code protocol} (smtp to the MTA port, smtps to submissions); its id. */
    private static String send(String protocol, RunningHato.User user, String from, String... to) throws Exception {
        Session session = Session.getInstance(MailFlowTest.clientProperties());
        MimeMessage message = new MimeMessage(session);
        message.setFrom(from);
        for (String address : to) {
            message.addRecipients(Message.RecipientType.TO, address);
        }
        message.setSubject("mail log");
        message.setText("hello from another MTA\n", "UTF-8");
        message.saveChanges();
        try (Transport transport = session.getTransport(protocol)) {
            if (user == null) {
                transport.connect("127.0.0.1", hato.port("smtp"), null, null);
            } else {
                transport.connect("127.0.0.1", hato.port("submissions"), user.authId(), user.password());
            }
            InternetAddress[] recipients = new InternetAddress[to.length];
            for (int i = 0; i < to.length; i++) {
                recipients[i] = new InternetAddress(to[i]);
            }
            transport.sendMessage(message, recipients);
            Matcher matcher = ID.matcher(((SMTPTransport) transport).getLastServerResponse());
            assertThat(matcher.find()).as(((SMTPTransport) transport).getLastServerResponse()).isTrue();
            return matcher.group(1);
        }
    }

    private static Predicate<Map<String, Object>> event(String kind, String id) {
        return e -> kind.equals(e.get("event")) && id.equals(e.get("id"));
    }

    /** The first event of the JSON mail log that {@code wanted} picks, once it is written. */
    private static Map<String, Object> await(Predicate<Map<String, Object>> wanted) {
        List<Map<String, Object>> found = new ArrayList<>();
        Eventually.until(() -> {
            events().stream().filter(wanted).findFirst().ifPresent(found::add);
            return !found.isEmpty();
        }, "a mail log event", WAIT);
        return found.get(0);
    }

    private static List<Map<String, Object>> events() {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : lines()) {
            try {
                events.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() { }));
            } catch (IOException e) {
                // the writer may be in the middle of a line
            }
        }
        return events;
    }

    private static List<String> lines() {
        Path file = dataDir.resolve("log").resolve("mail.log");
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
