package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.imap.wire.ModifiedUtf7;
import dev.hato.store.legacy.MigrationStatus;
import dev.hato.store.legacy.Route;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migrations the server runs by itself against Debian's Dovecot: {@code hato migrate start} (passes repeated until
 * the person is moved, a verified cutover by the server, {@code hato migrate stop}), and migration on login, where a
 * domain asks for it, with an old system that has no master user (the password of the login is used, kept in
 * memory). The shared test server polls every half second and passes again after two seconds.
 */
class MigrateStartTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aStartedMigrationShouldBeCopiedVerifiedAndMovedByTheServerWithUidsKeptAndThePersonTold(@TempDir Path dir)
            throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        RunningHato.User sora = HATO.newUser("sorastart");
        Path maildir = dir.resolve("dovecot/home/sora.old/Maildir");
        String lab = "." + ModifiedUtf7.encode("研究室");
        String nested = lab + "." + ModifiedUtf7.encode("論文");
        MigrateCopyTest.message(maildir, "", 1, "old one", "S");
        MigrateCopyTest.message(maildir, "", 2, "old two", "F");
        MigrateCopyTest.message(maildir, lab, 3, "lab", "S");
        MigrateCopyTest.message(maildir, nested, 4, "論文その一", "");
        String vacation = "require [\"vacation\", \"fileinto\"];\r\n"
                + "if header :contains \"subject\" \"論文\" { fileinto \"研究室/論文\"; }\r\n"
                + "vacation :days 3 \"I am away until Monday.\";\r\n";
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("sora.old", "sora-pw"),
                Map.of("sora.old", Map.of("away", vacation)))) {
            String name = "start-" + System.nanoTime();
            assertThat(old.addTo(HATO.dataDir(), name, true, true).status()).isZero();
            assertThat(hato("legacy", "login", sora.authId(), "sora.old").status()).isZero();
            CliRun refused = hato("migrate", "start", sora.address());
            assertThat(refused.status()).as("route still local").isNotZero();
            assertThat(refused.err()).contains("is local");
            assertThat(hato("route", "set", sora.authId(), "legacy", name).status()).isZero();

            CliRun started = hato("migrate", "start", sora.address(), "--cutover-when-verified", "--notify");
            assertThat(started.status()).as(started.out() + started.err()).isZero();
            assertThat(started.out()).contains(sora.address() + ": started from " + name + ", moved once verified");

            Eventually.until(() -> done(sora), "the server moves the person", WAIT);
            assertThat(HATO.store().legacyBackends().route(sora.accountId()).block(WAIT)).isEqualTo(Route.LOCAL);
            MigrationStatus moved = HATO.store().legacyBackends().migration(sora.accountId()).block(WAIT);
            assertThat(moved.state()).isEqualTo("moved");
            assertThat(moved.verified()).isTrue();
            assertThat(moved.background()).as("the server's work is done").isFalse();
            assertThat(moved.lastError()).isNull();

            // the start notice went to the old INBOX first, so it was copied with the rest; the done notice is Hato's
            MailboxInfo inbox = HATO.store().mailboxes().find(sora.accountId(), "INBOX").block(WAIT);
            List<MessageMeta> messages = HATO.store().mailboxes().messages(sora.accountId(), inbox.id())
                    .collectList().block(WAIT);
            assertThat(messages).hasSize(4);
            long oldValidity = MigrateCopyTest.onDovecot(old, "sora.old", "sora-pw", store -> {
                Folder box = store.getFolder("INBOX");
                box.open(Folder.READ_ONLY);
                long validity = ((UIDFolder) box).getUIDValidity();
                List<Long> uids = java.util.Arrays.stream(box.getMessages()).map(m -> {
                    try {
                        return ((UIDFolder) box).getUID(m);
                    } catch (jakarta.mail.MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
                assertThat(messages.subList(0, 3)).extracting(MessageMeta::uid).containsExactlyElementsOf(uids);
                box.close(false);
                return validity;
            });
            assertThat(inbox.uidValidity()).isEqualTo(oldValidity);
            // Dovecot numbers the notice it was given before it had numbered the old files: found by date
            java.time.Instant received = java.time.Instant.parse("2023-11-14T22:13:20Z");
            assertThat(messages).filteredOn(m -> m.internalDate().equals(received.plusSeconds(1)))
                    .singleElement().satisfies(m -> assertThat(m.flags()).containsExactly("\\Seen"));
            assertThat(messages).filteredOn(m -> m.internalDate().equals(received.plusSeconds(2)))
                    .singleElement().satisfies(m -> assertThat(m.flags()).containsExactly("\\Flagged"));
            MailboxInfo paper = HATO.store().mailboxes().find(sora.accountId(), "研究室/論文").block(WAIT);
            assertThat(paper).as("the nested Japanese folder").isNotNull();
            assertThat(HATO.store().mailboxes().messages(sora.accountId(), paper.id()).count().block(WAIT))
                    .isEqualTo(1);
            List<String> subjects = LegacyProxyTest.subjects("imaps", sora);
            assertThat(subjects).as("Hato serves them now: their mail, the start notice (in the old INBOX before "
                    + "the copy) and the done notice").hasSize(4).contains("old one", "old two");
            assertThat(hato("migrate", "status", "--domain", RunningHato.DOMAIN).out())
                    .contains(sora.address() + "\t" + name + "\tmoved");
            // the filters and vacation of the old system came with the move, active
            assertThat(HATO.store().sieveScripts().list(sora.accountId()).collectList().block(WAIT))
                    .singleElement().satisfies(script -> {
                        assertThat(script.name()).isEqualTo("away");
                        assertThat(script.active()).isTrue();
                        assertThat(script.content()).contains("I am away until Monday.");
                    });
        }
    }

    @Test
    void withoutCutoverTheServerShouldPassAgainUntilStoppedAndLeaveTheRouteAlone(@TempDir Path dir)
            throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        RunningHato.User riku = HATO.newUser("rikustart");
        MigrateCopyTest.message(dir.resolve("dovecot/home/riku.old/Maildir"), "", 1, "first", "S");
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("riku.old", "riku-pw"),
                Map.of())) {
            String name = "passes-" + System.nanoTime();
            assertThat(old.addTo(HATO.dataDir(), name, false).status()).isZero();
            assertThat(hato("legacy", "login", riku.authId(), "riku.old").status()).isZero();
            assertThat(hato("route", "set", riku.authId(), "legacy", name).status()).isZero();
            assertThat(hato("migrate", "start", riku.authId()).status()).isZero();
            Eventually.until(() -> HATO.inbox(riku).size() == 1, "the first pass", WAIT);
            CliRun status = hato("migrate", "status", "--json");
            assertThat(status.out()).contains("\"address\":\"" + riku.address() + "\"", "\"in_server\":true");

            MigrateCopyTest.onDovecot(old, "riku.old", "riku-pw", store -> {
                Folder box = store.getFolder("INBOX");
                box.open(Folder.READ_WRITE);
                box.appendMessages(new Message[] {new MimeMessage(Session.getInstance(new Properties()),
                        new ByteArrayInputStream("From: x@old.example\r\nSubject: second\r\n\r\nlater\r\n"
                                .getBytes(StandardCharsets.US_ASCII)))});
                box.close(false);
                return null;
            });
            Eventually.until(() -> HATO.inbox(riku).size() == 2, "a later pass brings the new message", WAIT);
            assertThat(HATO.store().legacyBackends().route(riku.accountId()).block(WAIT))
                    .isEqualTo(Route.legacy(name));

            CliRun stopped = hato("migrate", "stop", riku.address());
            assertThat(stopped.out()).contains(riku.address() + ": stopped");
            assertThat(hato("migrate", "stop", riku.address()).out()).contains("was not running in the server");
            assertThat(HATO.store().legacyBackends().migration(riku.accountId()).block(WAIT).background()).isFalse();

            // one worker at a time: while another holds riku's migration, a command leaves it alone
            HATO.store().legacyBackends().lock(riku.accountId(), "a test", Duration.ofMinutes(1)).block(WAIT);
            CliRun held = hato("migrate", "copy", riku.address());
            assertThat(held.status()).isEqualTo(1);
            assertThat(held.out()).contains(riku.address() + ": not now: a test is working on their migration");
            HATO.store().legacyBackends().unlock(riku.accountId(), "a test").block(WAIT);
            assertThat(hato("migrate", "copy", riku.address()).status()).isZero();
        }
    }

    @Test
    void aDomainThatMigratesOnLoginShouldMoveAPersonAfterTheirFirstLoginUsingTheirPasswordThere(@TempDir Path dir)
            throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        String domain = "onlogin" + System.nanoTime() + ".test";
        HATO.provisioning().addDomain(domain).block(WAIT);
        RunningHato.User mio = HATO.newUser("mio", domain);
        RunningHato.User ren = HATO.newUser("ren", domain);
        MigrateCopyTest.message(dir.resolve("dovecot/home/" + mio.address() + "/Maildir"), "", 1, "mio's old", "S");
        MigrateCopyTest.message(dir.resolve("dovecot/home/" + ren.address() + "/Maildir"), "", 1, "ren's old", "");
        // the old system knows them by their address, with the same password; it has no master user
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"),
                Map.of(mio.address(), mio.password(), ren.address(), ren.password()), Map.of())) {
            String name = "onlogin-" + System.nanoTime();
            CliRun added = hato("legacy", "add", name, "--imap", "127.0.0.1:" + old.imapPort(), "--imap-tls",
                    "starttls", "--trust", old.certificate().toString());
            assertThat(added.status()).as(added.err()).isZero();
            assertThat(hato("route", "set", "--migrate-on-login", mio.authId(), "local").err())
                    .contains("--migrate-on-login goes with --domain");
            CliRun set = hato("route", "set", "--domain", domain, "legacy", name, "--migrate-on-login");
            assertThat(set.status()).as(set.err()).isZero();
            assertThat(hato("route", "list").out()).contains("domain " + domain + "\tlegacy:" + name
                    + "\tmigrate on login");

            assertThat(LegacyProxyTest.subjects("imaps", mio)).as("proxied to the old server")
                    .containsExactly("mio's old");
            Eventually.until(() -> done(mio), "mio moved after her login", WAIT);
            assertThat(HATO.store().legacyBackends().route(mio.accountId()).block(WAIT)).isEqualTo(Route.LOCAL);
            assertThat(HATO.store().legacyBackends().migration(mio.accountId()).block(WAIT).verified()).isTrue();
            // the start notice (in the old INBOX, copied) and the done notice (in Hato) came with her mail
            assertThat(LegacyProxyTest.subjects("imaps", mio)).hasSize(3).contains("mio's old");

            assertThat(HATO.store().legacyBackends().migration(ren.accountId()).block(WAIT))
                    .as("ren has not logged in").isNull();
            assertThat(HATO.store().legacyBackends().route(ren.accountId()).block(WAIT))
                    .isEqualTo(Route.legacy(name));
            hato("route", "set", "--domain", domain, "local");
        }
    }

    /** Whether the server has moved the person and its work for them is done. */
    private static boolean done(RunningHato.User user) {
        MigrationStatus status = HATO.store().legacyBackends().migration(user.accountId()).block(WAIT);
        return status != null && status.state().equals("moved") && !status.background();
    }

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }
}
