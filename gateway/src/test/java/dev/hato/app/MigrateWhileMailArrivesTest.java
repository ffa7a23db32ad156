package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.store.legacy.Route;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17: mail that arrives by SMTP while a person is being moved lands exactly once. The old system is Debian's
 * Dovecot behind a test MTA that stores what it accepts in the old INBOX (as the old system's MTA would) and can be
 * taken down (451). Mail relayed there before the copy is copied; mail queued for it when the cutover starts holds
 * the person at {@code syncing} until it has got there and been copied (a cutover that gives up waiting says so, and
 * the next one finishes); mail that arrives after the switch to {@code syncing} lands in Hato only.
 */
class MigrateWhileMailArrivesTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void mailArrivingBeforeDuringAndAfterTheCutoverShouldLandInHatoExactlyOnce(@TempDir Path dir) throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        AtomicBoolean down = new AtomicBoolean();
        Path data = Files.createDirectories(dir.resolve("hato"));
        MigrateCopyTest.message(dir.resolve("dovecot/home/yui.old/Maildir"), "", 1, "before everything", "S");
        try (TestSmtpServer oldMta = TestSmtpServer.on("127.0.0.1", 0)
                .rcpt((address, attempt) -> down.get() ? "451 4.3.0 down for maintenance" : "250 2.1.5 ok")
                .start();
             RunningHato hato = RunningHato.start(data, "--hato.outbound.dns-servers="
                             + RunningHato.quietDns().address(), "--hato.outbound.first-retry=300ms",
                     "--hato.outbound.max-retry=600ms", "--hato.outbound.poll-interval=200ms");
             LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("yui.old", "yui-pw"), Map.of());
             Forwarder forwarder = new Forwarder(oldMta, old)) {
            hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
            RunningHato.User yui = hato.newUser("yuimove");
            String name = "mta-" + System.nanoTime();
            CliRun added = CliRun.of(data, LegacyDovecot.MASTER_PASSWORD + "\n", "legacy", "add", name, "--imap",
                    "127.0.0.1:" + old.imapPort(), "--imap-tls", "starttls", "--trust", old.certificate().toString(),
                    "--smtp", "127.0.0.1:" + oldMta.port(), "--master-user", LegacyDovecot.MASTER,
                    "--master-password-stdin");
            assertThat(added.status()).as(added.err()).isZero();
            assertThat(hato(data, "legacy", "login", yui.authId(), "yui.old").status()).isZero();
            assertThat(hato(data, "route", "set", yui.authId(), "legacy", name).status()).isZero();

            send(hato, yui, "relayed before the copy");
            Eventually.until(() -> forwarder.stored() == 1, "the old MTA stores it in the old INBOX", WAIT);
            CliRun copy = hato(data, "migrate", "copy", yui.address());
            assertThat(copy.status()).as(copy.out() + copy.err()).isZero();
            assertThat(hato.inbox(yui)).hasSize(2);

            down.set(true);
            send(hato, yui, "queued while the old MTA is down");
            Eventually.until(() -> oldMta.commands().stream()
                    .filter(c -> c.toUpperCase(java.util.Locale.ROOT).startsWith("RCPT TO:<"
                            + yui.address().toUpperCase(java.util.Locale.ROOT))).count() >= 2
                    && queued(hato, yui) == 1, "a relay refused with 451 and deferred", WAIT);
            CliRun gaveUp = hato(data, "migrate", "cutover", yui.address(), "--queue-wait", "1s");
            assertThat(gaveUp.status()).as(gaveUp.out() + gaveUp.err()).isEqualTo(1);
            assertThat(gaveUp.out()).contains("route of " + yui.address() + ": syncing (mail for them queued for the "
                    + "MTA of " + name + " is not there yet");
            assertThat(hato.store().legacyBackends().route(yui.accountId()).block(WAIT)).isEqualTo(Route.SYNCING);

            send(hato, yui, "arrived while syncing");
            Eventually.until(() -> hato.inbox(yui).size() == 3, "syncing: straight into Hato", WAIT);
            down.set(false);
            Eventually.until(() -> forwarder.stored() == 2, "the queued message reaches the old INBOX", WAIT);
            CliRun cutover = hato(data, "migrate", "cutover", yui.address());
            assertThat(cutover.status()).as(cutover.out() + cutover.err()).isZero();
            assertThat(cutover.out()).contains("route of " + yui.address() + ": local");
            send(hato, yui, "after the move");
            Eventually.until(() -> hato.inbox(yui).size() == 5, "the last message in Hato", WAIT);

            List<String> inHato = subjects(hato, yui);
            assertThat(inHato).containsExactlyInAnyOrder("before everything", "relayed before the copy",
                    "queued while the old MTA is down", "arrived while syncing", "after the move");
            List<String> onTheOldServer = MigrateCopyTest.onDovecot(old, "yui.old", "yui-pw",
                    store -> MigrateCopyTest.subjects(store, "INBOX"));
            assertThat(onTheOldServer).containsExactly("before everything", "relayed before the copy",
                    "queued while the old MTA is down");
            assertThat(oldMta.transactions()).hasSize(2);
        }
    }

    /** The subjects in the person's Hato INBOX, over IMAPS. */
    private static List<String> subjects(RunningHato hato, RunningHato.User user) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.trust", "*");
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        try (jakarta.mail.Store store = Session.getInstance(properties).getStore("imaps")) {
            store.connect("127.0.0.1", hato.port("imaps"), user.authId(), user.password());
            return MigrateCopyTest.subjects(store, "INBOX");
        }
    }

    private static long queued(RunningHato hato, RunningHato.User user) {
        return hato.store().outboundQueue().list().filter(r -> r.recipient().address().equals(user.address()))
                .count().block(WAIT);
    }

    private static void send(RunningHato hato, RunningHato.User to, String subject) throws Exception {
        Session session = Session.getInstance(MailFlowTest.clientProperties());
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress("someone@elsewhere.example"));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(to.address()));
        message.setSubject(subject);
        message.setText("text of " + subject + "\n");
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect("127.0.0.1", hato.port("smtp"), null, null);
            transport.sendMessage(message, new InternetAddress[] {new InternetAddress(to.address())});
        }
    }

    private static CliRun hato(Path data, String... args) {
        return CliRun.of(data, "", args);
    }

    /** The old system's local delivery: what its MTA accepts is appended to the person's old INBOX, in order. */
    private static final class Forwarder implements AutoCloseable {
        private final AtomicInteger stored = new AtomicInteger();
        private final Thread thread;
        private volatile boolean closed;

        Forwarder(TestSmtpServer mta, LegacyDovecot old) {
            thread = new Thread(() -> {
                while (!closed) {
                    List<TestSmtpServer.Transaction> all = mta.transactions();
                    for (int i = stored.get(); i < all.size(); i++) {
                        byte[] content = all.get(i).content();
                        try {
                            MigrateCopyTest.onDovecot(old, "yui.old", "yui-pw", store -> {
                                Folder inbox = store.getFolder("INBOX");
                                inbox.open(Folder.READ_WRITE);
                                inbox.appendMessages(new Message[] {new MimeMessage(
                                        Session.getInstance(new Properties()), new ByteArrayInputStream(content))});
                                inbox.close(false);
                                return null;
                            });
                            stored.incrementAndGet();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "old-local-delivery");
            thread.setDaemon(true);
            thread.start();
        }

        int stored() {
            return stored.get();
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            thread.interrupt();
            thread.join(5000);
        }
    }
}
