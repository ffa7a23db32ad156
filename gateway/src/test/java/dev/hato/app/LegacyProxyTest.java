package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17's routes at login: people whose route names an old system (Dovecot from Debian, on loopback with STARTTLS
 * on IMAP and POP3) log in to Hato with their auth ID and Hato password, and their IMAP and POP3 sessions are those
 * of the old server, through Angus Mail and by hand; a route back to local gives them Hato's mailbox; an old system
 * that cannot be reached gives a temporary refusal, and Hato keeps serving.
 */
class LegacyProxyTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final AtomicInteger NEXT = new AtomicInteger();

    private static LegacyDovecot old;
    private static RunningHato.User dan;
    private static RunningHato.User eve;
    private static String withMaster;
    private static String withoutMaster;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        dan = HATO.newUser("danproxy");
        eve = HATO.newUser("eveproxy");
        Path dir = Files.createTempDirectory("hato-legacy-proxy-");
        maildir(dir.resolve("dovecot/home/dan.old/Maildir"), "Old mail one", "古いメール二");
        maildir(dir.resolve("dovecot/home/" + eve.address() + "/Maildir"), "Eve's old mail");
        // eve's login on the old system is her address, with the same password as in Hato (no master user there)
        old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("dan.old", "dan-old-pw", eve.address(),
                eve.password()), Map.of());
        withMaster = "proxy-" + NEXT.incrementAndGet();
        withoutMaster = withMaster + "-own";
        CliRun added = CliRun.of(HATO.dataDir(), LegacyDovecot.MASTER_PASSWORD + "\n", "legacy", "add", withMaster,
                "--imap", "127.0.0.1:" + old.imapPort(), "--imap-tls", "starttls",
                "--pop3", "127.0.0.1:" + old.pop3Port(), "--pop3-tls", "starttls",
                "--trust", old.certificate().toString(), "--master-user", LegacyDovecot.MASTER,
                "--master-password-stdin");
        assertThat(added.status()).as(added.err()).isZero();
        CliRun own = CliRun.of(HATO.dataDir(), "", "legacy", "add", withoutMaster,
                "--imap", "127.0.0.1:" + old.imapPort(), "--imap-tls", "starttls",
                "--pop3", "127.0.0.1:" + old.pop3Port(), "--pop3-tls", "starttls",
                "--trust", old.certificate().toString());
        assertThat(own.status()).as(own.err()).isZero();
        assertThat(hato("legacy", "login", dan.authId(), "dan.old").status()).isZero();
        assertThat(hato("route", "set", dan.authId(), "legacy", withMaster).out())
                .contains("route of " + dan.address() + ": legacy:" + withMaster);
        assertThat(hato("route", "set", eve.address(), "legacy", withoutMaster).status()).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (old != null) {
            hato("route", "set", dan.authId(), "default");
            hato("route", "set", eve.authId(), "default");
            old.close();
        }
    }

    @Test
    void aLegacyRoutedPersonShouldSeeTheOldMailboxOverImapThroughAngusMail() throws Exception {
        assertThat(subjects("imaps", dan)).containsExactlyInAnyOrder("Old mail one", "古いメール二");
    }

    @Test
    void aLegacyRoutedPersonShouldSeeTheOldMaildropOverPop3ThroughAngusMail() throws Exception {
        assertThat(subjects("pop3s", dan)).containsExactlyInAnyOrder("Old mail one", "古いメール二");
    }

    @Test
    void withoutAMasterUserTheirOwnPasswordShouldLogThemInThereOverImapAndPop3() throws Exception {
        assertThat(subjects("imaps", eve)).containsExactly("Eve's old mail");
        assertThat(subjects("pop3s", eve)).containsExactly("Eve's old mail");
    }

    @Test
    void theLoginReplyShouldCarryTheOldServersCapabilitiesAndPipelinedCommandsShouldReachIt() throws Exception {
        try (SocketTransport imap = new SocketTransport(HATO.port("imap"), false)) {
            assertThat(imap.readLine()).startsWith("* OK");
            ImapLines.command(imap, "s1 STARTTLS");
            imap.startTls();
            // The command after LOGIN is sent before its reply: it must be answered by the old server.
            imap.send(("l1 LOGIN " + dan.authId() + " \"" + dan.password() + "\"\r\nn1 NAMESPACE\r\n"
                    + "x1 EXAMINE INBOX\r\n").getBytes(StandardCharsets.UTF_8));
            List<String> login = ImapLines.untilTagged(imap, "l1");
            assertThat(login).last().asString().startsWith("l1 OK [CAPABILITY IMAP4rev1")
                    .doesNotContain("AUTH=").doesNotContain("STARTTLS");
            assertThat(ImapLines.untilTagged(imap, "n1")).last().asString().startsWith("n1 OK");
            List<String> examine = ImapLines.untilTagged(imap, "x1");
            assertThat(examine).contains("* 2 EXISTS");
            assertThat(examine).last().asString().startsWith("x1 OK [READ-ONLY]");
            List<String> logout = ImapLines.command(imap, "z1 LOGOUT");
            assertThat(logout.get(0)).startsWith("* BYE");
            assertThat(imap.closedByServer()).isTrue();
        }
    }

    @Test
    void aRouteBackToLocalShouldGiveHatosOwnMailbox() throws Exception {
        RunningHato.User fay = HATO.newUser("fayproxy");
        ImapLines.deliver(HATO, fay, "New mail in Hato");
        Eventually.until(() -> !HATO.inbox(fay).isEmpty(), "the message in Hato", java.time.Duration.ofSeconds(20));
        assertThat(hato("route", "set", fay.authId(), "legacy", withMaster).status()).isZero();
        assertThat(hato("legacy", "login", fay.authId(), "dan.old").status()).isZero();
        assertThat(subjects("imaps", fay)).containsExactlyInAnyOrder("Old mail one", "古いメール二");

        assertThat(hato("route", "set", fay.authId(), "local").out()).contains(": local");
        assertThat(subjects("imaps", fay)).containsExactly("New mail in Hato");
        assertThat(subjects("pop3s", fay)).containsExactly("New mail in Hato");
        assertThat(hato("route", "show", fay.address()).out()).contains(fay.address() + "\tlocal");
        assertThat(hato("route", "list").out()).contains(fay.address() + "\tlocal",
                dan.address() + "\tlegacy:" + withMaster);
    }

    @Test
    void anOldSystemThatCannotBeReachedShouldGiveATemporaryRefusalAndHatoShouldKeepServing() throws Exception {
        RunningHato.User gus = HATO.newUser("gusproxy");
        String gone = "proxy-gone-" + NEXT.incrementAndGet();
        int closed = RunningHato.freePort();
        assertThat(hato("legacy", "add", gone, "--imap", "127.0.0.1:" + closed, "--imap-tls", "none",
                "--pop3", "127.0.0.1:" + closed, "--pop3-tls", "none").status()).isZero();
        assertThat(hato("route", "set", gus.address(), "legacy", gone).status()).isZero();
        try (SocketTransport imap = new SocketTransport(HATO.port("imaps"), true)) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send(("l1 LOGIN " + gus.authId() + " \"" + gus.password() + "\"\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(imap.readLine()).startsWith("l1 NO [UNAVAILABLE]");
        }
        try (SocketTransport pop3 = new SocketTransport(HATO.port("pop3s"), true)) {
            assertThat(pop3.readLine()).startsWith("+OK");
            pop3.send(("USER " + gus.authId() + "\r\nPASS " + gus.password() + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(pop3.readLine()).startsWith("+OK");
            assertThat(pop3.readLine()).startsWith("-ERR [SYS/TEMP]");
        }
        assertThat(hato("legacy", "remove", gone).err()).contains("hato route list");
        assertThat(hato("route", "set", gus.address(), "default").status()).isZero();
        assertThat(hato("legacy", "remove", gone).status()).isZero();
        try (SocketTransport imap = ImapLines.login(HATO, gus)) {
            assertThat(ImapLines.command(imap, "s1 SELECT INBOX")).contains("* 0 EXISTS");
        }
    }

    @Test
    void aProxiedConnectionShouldBeClosedWhenThePersonsRouteNoLongerNamesThatSystem() throws Exception {
        RunningHato.User ivy = HATO.newUser("ivyproxy");
        assertThat(hato("legacy", "login", ivy.authId(), "dan.old").status()).isZero();
        assertThat(hato("route", "set", ivy.authId(), "legacy", withMaster).status()).isZero();
        try (SocketTransport imap = new SocketTransport(HATO.port("imaps"), true)) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send(("l1 LOGIN " + ivy.authId() + " \"" + ivy.password() + "\"\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(imap.readLine()).startsWith("l1 OK [CAPABILITY IMAP4rev1");
            ImapLines.command(imap, "n1 NOOP");

            assertThat(hato("route", "set", ivy.authId(), "local").status()).isZero();
            // the routes of proxied connections are read again every 10 seconds
            Eventually.until(() -> {
                try {
                    return imap.closedByServer(); // waits for the next byte (30 s at most)
                } catch (IOException e) {
                    return true;
                }
            }, "the proxied connection to be closed", Duration.ofSeconds(40));
        }
        try (SocketTransport imap = ImapLines.login(HATO, ivy)) {
            assertThat(ImapLines.command(imap, "s1 SELECT INBOX")).contains("* 0 EXISTS");
        }
    }

    @Test
    void aClientGoneWhileHatoLogsInThereShouldHaveItsConnectionToTheOldServerClosed() throws Exception {
        // An old server that accepts and stays silent: Hato's login there waits for the greeting (30 s at most).
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 5,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            RunningHato.User joe = HATO.newUser("joeproxy");
            String name = "proxy-silent-" + NEXT.incrementAndGet();
            assertThat(CliRun.of(HATO.dataDir(), "master-pw\n", "legacy", "add", name, "--imap",
                    "127.0.0.1:" + silent.getLocalPort(), "--imap-tls", "none", "--master-user", "admin",
                    "--master-password-stdin").status()).isZero();
            assertThat(hato("route", "set", joe.authId(), "legacy", name).status()).isZero();
            java.net.Socket proxied;
            try (SocketTransport imap = new SocketTransport(HATO.port("imaps"), true)) {
                assertThat(imap.readLine()).startsWith("* OK");
                imap.send(("l1 LOGIN " + joe.authId() + " \"" + joe.password() + "\"\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                silent.setSoTimeout(20_000);
                proxied = silent.accept(); // Hato logs in there for the client...
            } // ...which goes away before the answer
            try (proxied) {
                proxied.setSoTimeout(10_000);
                // Hato closes its connection at once, long before its 30 s wait for the greeting would end
                assertThat(proxied.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(hato("route", "set", joe.authId(), "default").status()).isZero();
            assertThat(hato("legacy", "remove", name).status()).isZero();
        }
    }

    @Test
    void routesShouldBeRefusedWhenTheyNameNoSystemOrNoPerson() {
        assertThat(hato("route", "set", dan.authId(), "legacy", "no-such-system").err())
                .contains("no legacy system is named no-such-system");
        assertThat(hato("route", "set", "nobody@nowhere.example", "local").err()).contains("no account");
        assertThat(hato("route", "set", dan.authId(), "legacy").err()).contains("NAME");
        assertThat(hato("route", "set", "--domain", RunningHato.DOMAIN, "syncing").err())
                .contains("legacy NAME or local");
    }

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    /** The subjects in the INBOX as Angus Mail sees them over {@code protocol} (imaps or pop3s) on Hato's port. */
    static List<String> subjects(String protocol, RunningHato.User user) throws Exception {
        Properties properties = new Properties();
        properties.put("mail." + protocol + ".ssl.trust", "*");
        properties.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        properties.put("mail." + protocol + ".timeout", "30000");
        Session session = Session.getInstance(properties);
        try (Store store = session.getStore(protocol)) {
            store.connect("127.0.0.1", HATO.port(protocol), user.authId(), user.password());
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            try {
                return Arrays.stream(inbox.getMessages()).map(LegacyProxyTest::subject).toList();
            } finally {
                inbox.close(false);
            }
        }
    }

    private static String subject(Message message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Maildir with one message per subject in {@code new/}, for Dovecot to find. */
    private static void maildir(Path maildir, String... subjects) throws IOException {
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(maildir.resolve(sub));
        }
        int n = 0;
        for (String subject : subjects) {
            n++;
            String encoded = "=?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(
                    subject.getBytes(StandardCharsets.UTF_8)) + "?=";
            Files.writeString(maildir.resolve("new/1700000000." + n + ".old.example"),
                    "From: someone@old.example\r\nTo: person@old.example\r\nSubject: " + encoded
                            + "\r\nMessage-ID: <old-" + n + "@old.example>\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
                            + "\r\nold body " + n + "\r\n", StandardCharsets.US_ASCII);
        }
    }
}
