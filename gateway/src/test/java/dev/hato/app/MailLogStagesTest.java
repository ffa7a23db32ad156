package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.ldap.TestCertificate;
import dev.hato.outbound.MxRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The mail log's details end to end (docs/operations.md "Mail log"), over real sockets into a real Hato: the TLS
 * protocol and cipher suite of a message received after STARTTLS and over implicit TLS (the ones the client
 * negotiated), the TLS of relayed and deferred attempts to remote servers that offer STARTTLS, refusals at the door
 * (stage CONNECT) and during BDAT (stage BDAT), and the messages IMAP APPEND and MULTIAPPEND store (appended), which
 * {@code hato log search} finds by the account's address and auth ID.
 */
class MailLogStagesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern ID = Pattern.compile("message (\\S+) stored");
    private static final Pattern TLS_PROTOCOL = Pattern.compile("TLSv1\\.[23]");
    private static final Pattern CIPHER = Pattern.compile("TLS_[A-Z0-9_]+");

    private static TestDnsServer dns;
    private static final List<TestSmtpServer> SERVERS = new ArrayList<>();
    private static RunningHato hato;
    private static Path dataDir;
    private static MailLogFile log;

    @BeforeAll
    static void start() throws Exception {
        dns = new TestDnsServer();
        int port = LoopbackPorts.freeOnAll("127.0.0.2", "127.0.0.3");
        SERVERS.add(TestSmtpServer.on("127.0.0.2", port)
                .tls(TestCertificate.forHost("mx.secure.test").serverContext()).start());
        SERVERS.add(TestSmtpServer.on("127.0.0.3", port)
                .tls(TestCertificate.forHost("mx.greylist.test").serverContext())
                .rcpt((address, attempt) -> attempt == 1 ? "451 4.7.1 greylisted" : "250 2.1.5 ok").start());
        String[] domains = {"secure.test", "greylist.test"};
        for (int i = 0; i < domains.length; i++) {
            dns.mx(domains[i], new MxRecord(10, "mx." + domains[i]));
            dns.a("mx." + domains[i], "127.0.0." + (i + 2));
        }
        dataDir = Files.createTempDirectory("hato-maillog-stages-test-");
        log = new MailLogFile(dataDir);
        hato = RunningHato.start(dataDir,
                "--hato.max-connections-per-address=3",
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
    void aMessageReceivedAfterStartTlsShouldCarryTheProtocolAndCipherTheClientNegotiated() throws Exception {
        RunningHato.User carol = hato.newUser("carol");
        try (SocketTransport smtp = new SocketTransport(hato.port("smtp"), false)) {
            assertThat(reply(smtp)).startsWith("220");
            assertThat(say(smtp, "EHLO client.example.test")).startsWith("250");
            assertThat(say(smtp, "STARTTLS")).startsWith("220");
            smtp.startTls();
            assertThat(say(smtp, "EHLO client.example.test")).startsWith("250");
            String id = message(smtp, "someone@remote.example", carol.address());

            Map<String, Object> received = log.await(event("received", id));
            assertNegotiated(received, smtp.tlsSession());
            assertThat(received).containsEntry("protocol", "ESMTPS").doesNotContainKey("auth");
        }
    }

    @Test
    void aMessageSubmittedOverImplicitTlsShouldCarryTheProtocolAndCipherAndPlainTextNone() throws Exception {
        RunningHato.User alice = hato.newUser("alice");
        RunningHato.User bob = hato.newUser("bob");
        try (SocketTransport smtp = new SocketTransport(hato.port("submissions"), true)) {
            assertThat(reply(smtp)).startsWith("220");
            assertThat(say(smtp, "EHLO laptop")).startsWith("250");
            assertThat(say(smtp, "AUTH PLAIN " + alice.plain())).startsWith("235");
            String id = message(smtp, alice.address(), bob.address());

            Map<String, Object> received = log.await(event("received", id));
            assertNegotiated(received, smtp.tlsSession());
            assertThat(received).containsEntry("auth", alice.authId()).containsEntry("protocol", "ESMTPSA");
        }
        try (SocketTransport plain = new SocketTransport(hato.port("smtp"), false)) {
            assertThat(reply(plain)).startsWith("220");
            assertThat(say(plain, "EHLO client.example.test")).startsWith("250");
            String id = message(plain, "someone@remote.example", bob.address());
            assertThat(log.await(event("received", id))).containsEntry("tls", false)
                    .doesNotContainKeys("tls_protocol", "tls_cipher");
        }
    }

    @Test
    void relayedAndDeferredAttemptsShouldSayTheRemoteSessionUsedTlsAndWhich() throws Exception {
        RunningHato.User alice = hato.newUser("alice");
        String ok = "ok@secure.test";
        String later = "later@greylist.test";
        String id;
        try (SocketTransport smtp = new SocketTransport(hato.port("submissions"), true)) {
            reply(smtp);
            say(smtp, "EHLO laptop");
            assertThat(say(smtp, "AUTH PLAIN " + alice.plain())).startsWith("235");
            id = message(smtp, alice.address(), ok, later);
        }
        Object queueId = log.await(event("queued", id).and(e -> ok.equals(e.get("to")))).get("queue_id");
        Predicate<Map<String, Object>> ofQueue = e -> queueId.equals(e.get("queue_id"));

        Map<String, Object> relayed = log.await(ofQueue.and(e -> "relayed".equals(e.get("event"))
                && ok.equals(e.get("to"))));
        assertThat(relayed).containsEntry("tls", true);
        assertThat((String) relayed.get("tls_protocol")).matches(TLS_PROTOCOL);
        assertThat((String) relayed.get("tls_cipher")).matches(CIPHER);
        Map<String, Object> deferred = log.await(ofQueue.and(e -> "deferred".equals(e.get("event"))
                && later.equals(e.get("to"))));
        assertThat(deferred).containsEntry("tls", true);
        assertThat((String) deferred.get("tls_protocol")).matches(TLS_PROTOCOL);
        assertThat((String) deferred.get("tls_cipher")).matches(CIPHER);
        assertThat(SERVERS.get(0).transactions()).anyMatch(t -> t.accepted().contains(ok) && t.tls());
    }

    @Test
    void aConnectionRefusedAtTheDoorShouldBeLoggedAtStageConnect() throws Exception {
        List<SocketTransport> open = new ArrayList<>();
        try {
            String greeting = "";
            // From an address of its own, so that no other test's connection counts against the limit of 3.
            for (int i = 0; i < 10 && !greeting.startsWith("421"); i++) {
                SocketTransport smtp = new SocketTransport(hato.port("smtp"), false, "127.0.0.5");
                open.add(smtp);
                greeting = smtp.readLine();
            }
            assertThat(greeting).startsWith("421 4.7.0").contains("Too many connections from your address");
        } finally {
            open.forEach(SocketTransport::close);
        }
        Map<String, Object> rejected = log.await(e -> "rejected".equals(e.get("event"))
                && "CONNECT".equals(e.get("stage")) && "127.0.0.5".equals(e.get("client")));
        assertThat(rejected).containsEntry("code", "421").containsEntry("listener", "smtp")
                .doesNotContainKeys("id", "from", "to", "helo");
        assertThat((String) rejected.get("reply")).contains("Too many connections from your address");
    }

    @Test
    void refusalsDuringBdatShouldBeLoggedAtStageBdatWithTheirReply() throws Exception {
        RunningHato.User dave = hato.newUser("dave");
        // A chunk without MAIL, and one without a recipient: refused once its octets are read.
        assertThat(bdat(null, null, "BDAT 3 LAST\r\nabc".getBytes(StandardCharsets.US_ASCII)))
                .startsWith("503 5.5.1");
        assertThat(bdat("norcpt@remote.example", null, "BDAT 5\r\nhello".getBytes(StandardCharsets.US_ASCII)))
                .startsWith("554 5.5.1");
        // Content refused at its end: NUL octets, and more than the 2 MB maximum message size in chunks.
        String nul = "Subject: x\r\n\r\na\0b\r\n";
        assertThat(bdat("nul@remote.example", dave.address(), ("BDAT " + nul.length() + " LAST\r\n" + nul)
                .getBytes(StandardCharsets.US_ASCII))).startsWith("554 5.6.0");
        byte[] chunk = new byte[1_200_000];
        Arrays.fill(chunk, (byte) 'a');
        for (int i = 98; i + 1 < chunk.length; i += 100) {
            chunk[i] = '\r';
            chunk[i + 1] = '\n';
        }
        byte[] head = "BDAT 1200000\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] last = "BDAT 1200000 LAST\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(bdat("big@remote.example", dave.address(), head, chunk, last, chunk)).startsWith("552 5.3.4");

        Map<String, Object> noMail = log.await(bdatRefusal(e -> String.valueOf(e.get("reply")).contains("Need MAIL")));
        assertThat(noMail).containsEntry("code", "503").containsEntry("client", "127.0.0.1");
        assertThat(log.await(bdatRefusal(e -> "norcpt@remote.example".equals(e.get("from")))))
                .containsEntry("code", "554");
        assertThat((String) log.await(bdatRefusal(e -> "nul@remote.example".equals(e.get("from")))).get("reply"))
                .startsWith("554 5.6.0").contains("NUL");
        assertThat(log.await(bdatRefusal(e -> "big@remote.example".equals(e.get("from")))))
                .containsEntry("code", "552").containsEntry("helo", "client.example.test");
    }

    @Test
    void imapAppendAndMultiappendShouldBeLoggedAsAppendedAndFoundByAddressAndAuthId() throws Exception {
        RunningHato.User erin = hato.newUser("erin");
        byte[] first = "Subject: draft\r\n\r\nfirst\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "Subject: sent copy\r\n\r\nsecond message\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] third = "Subject: third\r\n\r\nthe third of three\r\n".getBytes(StandardCharsets.US_ASCII);
        String single;
        String multi;
        try (SocketTransport imap = ImapLines.login(hato, erin)) {
            single = appendUids(imap, "a1 APPEND INBOX {" + first.length + "+}\r\n", first, "\r\n".getBytes());
            multi = appendUids(imap, "a2 APPEND INBOX (\\Seen) {" + second.length + "+}\r\n", second,
                    (" {" + third.length + "+}\r\n").getBytes(StandardCharsets.US_ASCII), third, "\r\n".getBytes());
        }
        long uid = Long.parseLong(single);
        String[] range = multi.split(":");
        long secondUid = Long.parseLong(range[0]);
        assertThat(Long.parseLong(range[1])).isEqualTo(secondUid + 1);

        Map<String, Object> appended = log.await(appended(erin, uid));
        assertThat(appended).containsEntry("account", (int) erin.accountId()).containsEntry("auth", erin.authId())
                .containsEntry("address", erin.address()).containsEntry("mailbox", "INBOX")
                .containsEntry("client", "127.0.0.1").containsEntry("tls", true).containsKey("mailbox_id")
                .containsEntry("size", first.length);
        assertThat(log.await(appended(erin, secondUid))).containsEntry("size", second.length);
        assertThat(log.await(appended(erin, secondUid + 1))).containsEntry("size", third.length);
        assertThat(log.lines())
                .noneMatch(line -> line.contains("the third of three") || line.contains(erin.password()));

        for (String address : List.of(erin.address().toUpperCase(), erin.authId())) {
            CliRun search = CliRun.of(dataDir, "", "log", "search", "--address", address, "--since", "1h");
            assertThat(search.status()).as(search.err()).isZero();
            assertThat(search.lines()).hasSize(3).allMatch(line -> line.contains("  event=appended account="));
            assertThat(search.out()).contains(" uid=" + uid + " ", " uid=" + (secondUid + 1) + " ");
        }
    }

    /** Sends an APPEND (its parts in order) and returns the uid set of its APPENDUID. */
    private static String appendUids(SocketTransport imap, String command, byte[]... rest) throws IOException {
        imap.send(command.getBytes(StandardCharsets.US_ASCII));
        for (byte[] part : rest) {
            imap.send(part);
        }
        String tag = command.substring(0, command.indexOf(' '));
        List<String> lines = ImapLines.untilTagged(imap, tag);
        String done = lines.get(lines.size() - 1);
        Matcher uids = Pattern.compile("APPENDUID \\d+ (\\S+)]").matcher(done);
        assertThat(uids.find()).as(done).isTrue();
        return uids.group(1);
    }

    private static Predicate<Map<String, Object>> appended(RunningHato.User user, long uid) {
        return e -> "appended".equals(e.get("event")) && user.authId().equals(e.get("auth"))
                && e.get("uid") instanceof Number n && n.longValue() == uid;
    }

    private static Predicate<Map<String, Object>> bdatRefusal(Predicate<Map<String, Object>> more) {
        return more.and(e -> "rejected".equals(e.get("event")) && "BDAT".equals(e.get("stage")));
    }

    /**
     * On a connection of its own to the MTA port: EHLO, then MAIL and RCPT when given, then {@code parts} (BDAT
     * commands and their octets) in order; the last line of the last reply.
     */
    private static String bdat(String from, String to, byte[]... parts) throws IOException {
        try (SocketTransport smtp = new SocketTransport(hato.port("smtp"), false)) {
            reply(smtp);
            assertThat(say(smtp, "EHLO client.example.test")).contains("250");
            if (from != null) {
                assertThat(say(smtp, "MAIL FROM:<" + from + ">")).startsWith("250");
            }
            if (to != null) {
                assertThat(say(smtp, "RCPT TO:<" + to + ">")).startsWith("250");
            }
            String last = null;
            for (int i = 0; i < parts.length; i++) {
                smtp.send(parts[i]);
                if (i % 2 == 1 || parts.length == 1) {
                    last = reply(smtp);
                }
            }
            return last;
        }
    }

    private static void assertNegotiated(Map<String, Object> received, SSLSession client) {
        assertThat(received).containsEntry("tls", true).containsEntry("tls_protocol", client.getProtocol())
                .containsEntry("tls_cipher", client.getCipherSuite());
        assertThat((String) received.get("tls_protocol")).matches(TLS_PROTOCOL);
    }

    /** MAIL, RCPT for each recipient, DATA with a short message; the id of the 250 reply. */
    private static String message(SocketTransport smtp, String from, String... to) throws IOException {
        assertThat(say(smtp, "MAIL FROM:<" + from + ">")).startsWith("250");
        for (String address : to) {
            assertThat(say(smtp, "RCPT TO:<" + address + ">")).startsWith("250");
        }
        assertThat(say(smtp, "DATA")).startsWith("354");
        String done = say(smtp, "Subject: mail log\r\n\r\nhello\r\n.");
        Matcher matcher = ID.matcher(done);
        assertThat(matcher.find()).as(done).isTrue();
        return matcher.group(1);
    }

    private static String say(SocketTransport smtp, String line) throws IOException {
        smtp.send((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        return reply(smtp);
    }

    /** The last line of a reply. */
    private static String reply(SocketTransport smtp) throws IOException {
        String line;
        do {
            line = smtp.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }

    private static Predicate<Map<String, Object>> event(String kind, String id) {
        return e -> kind.equals(e.get("event")) && id.equals(e.get("id"));
    }
}
