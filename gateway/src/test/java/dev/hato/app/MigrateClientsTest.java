package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's promise to people's clients, with the real ones: mbsync (UIDs) and fetchmail in keep mode (POP3
 * unique-ids) that synced with the old server (Dovecot) before the cutover download nothing again from Hato after
 * it, with their own state files untouched; and what arrives in Hato afterwards, they fetch once.
 */
class MigrateClientsTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void mbsyncAndFetchmailShouldDownloadNothingAgainAfterTheCutover(@TempDir Path dir) throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mbsync")), "isync (mbsync) is not installed");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/fetchmail")), "fetchmail is not installed");
        RunningHato.User ren = HATO.newUser("renclients");
        // fetchmail remembers unique-ids per user name and server: the old login is the person's auth ID here, as
        // at a site whose old logins become the auth IDs (else the id file's lines need the new user name)
        String login = ren.authId();
        Path maildir = dir.resolve("dovecot/home/" + login + "/Maildir");
        for (int n = 1; n <= 5; n++) {
            Path folder = n <= 3 ? maildir : maildir.resolve(".Projects");
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(folder.resolve(sub));
            }
            Files.writeString(folder.resolve("cur/170000000" + n + ".M" + n + ".old:2," + (n == 1 ? "S" : "")),
                    "From: someone@old.example\r\nSubject: old " + n + "\r\nMessage-ID: <clients-" + n
                            + "@old.example>\r\n\r\nbody " + n + "\r\n", StandardCharsets.US_ASCII);
        }
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of(login, "ren-old-pw"),
                Map.of())) {
            String name = "clients-" + System.nanoTime();
            CliRun added = old.addTo(HATO.dataDir(), name, true);
            assertThat(added.status()).as(added.err()).isZero();
            assertThat(CliRun.of(HATO.dataDir(), "", "legacy", "login", ren.authId(), login).status()).isZero();
            assertThat(CliRun.of(HATO.dataDir(), "", "route", "set", ren.authId(), "legacy", name).status())
                    .isZero();

            // Before: the clients know the old server.
            Path near = dir.resolve("mbsync/mail");
            String before = mbsync(dir, near, "localhost", old.imapPort(), "STARTTLS", old.certificate(), login,
                    "ren-old-pw");
            assertThat(files(near)).as(before).isEqualTo(5);
            Path fetched = dir.resolve("fetched.mbox");
            Path ids = dir.resolve("fetchids");
            assertThat(fetchmail(dir, old.pop3Port(), false, old.certificate(), login, "ren-old-pw", ids,
                    fetched)).isZero();
            assertThat(messagesIn(fetched)).isEqualTo(3);

            CliRun cutover = CliRun.of(HATO.dataDir(), "", "migrate", "cutover", ren.authId());
            assertThat(cutover.status()).as(cutover.out() + cutover.err()).isZero();

            // After: the same clients, pointed at Hato with the person's auth ID, fetch nothing again.
            Path hatoCertificate = HATO.dataDir().resolve("tls/selfsigned-cert.pem");
            String after = mbsync(dir, near, "localhost", HATO.port("imaps"), "IMAPS", hatoCertificate,
                    ren.authId(), ren.password());
            assertThat(after).doesNotContain("changed").doesNotContain("Error");
            assertThat(files(near)).isEqualTo(5);
            int status = fetchmail(dir, HATO.port("pop3s"), true, hatoCertificate, ren.authId(), ren.password(), ids,
                    fetched);
            assertThat(status).as("fetchmail's status (1 is 'no mail'): %s",
                    Files.readString(dir.resolve("fetchmail-out"))).isEqualTo(1);
            assertThat(messagesIn(fetched)).isEqualTo(3);

            // New mail in Hato is fetched once by each.
            ImapLines.deliver(HATO, ren, "first in Hato");
            Eventually.until(() -> HATO.inbox(ren).size() == 4, "the delivery", java.time.Duration.ofSeconds(20));
            mbsync(dir, near, "localhost", HATO.port("imaps"), "IMAPS", hatoCertificate, ren.authId(),
                    ren.password());
            assertThat(files(near)).isEqualTo(6);
            assertThat(fetchmail(dir, HATO.port("pop3s"), true, hatoCertificate, ren.authId(), ren.password(), ids,
                    fetched)).isZero();
            assertThat(messagesIn(fetched)).isEqualTo(4);
        }
    }

    /** One mbsync run of every folder, the far side as given, the near side and its sync state kept. */
    private static String mbsync(Path dir, Path near, String host, int port, String tls, Path certificate,
                                 String user, String password) throws Exception {
        Files.createDirectories(near);
        Path config = dir.resolve("mbsyncrc");
        Files.writeString(config, String.join("\n",
                "IMAPAccount server", "Host " + host, "Port " + port, "User " + user, "Pass " + password,
                "SSLType " + tls, "CertificateFile " + certificate, "Timeout 30", "",
                "IMAPStore far", "Account server", "",
                "MaildirStore near", "Path " + near + "/", "Inbox " + near.resolve("INBOX"), "SubFolders Verbatim", "",
                "Channel all", "Far :far:", "Near :near:", "Patterns *", "Create Near", "Remove None",
                "Expunge None", "Sync Pull", "SyncState *", ""));
        return run(dir, "mbsync-out", 0, "mbsync", "-V", "-c", config.toString(), "-a");
    }

    /** One fetchmail run in keep mode, messages appended to {@code mbox}; its exit status. */
    private static int fetchmail(Path dir, int port, boolean implicitTls, Path certificate, String user,
                                 String password, Path ids, Path mbox) throws Exception {
        Path rc = dir.resolve("fetchmailrc");
        Files.writeString(rc, "poll 127.0.0.1 service " + port + " protocol pop3 uidl auth password\n"
                + "  user \"" + user + "\" password \"" + password + "\" is \"tester\" here\n"
                + "  keep " + (implicitTls ? "ssl" : "sslproto tls1.2+") + " sslcertck sslcertfile \"" + certificate
                + "\" sslcommonname localhost\n"
                + "  mda \"/bin/sh -c 'cat >> " + mbox + "'\"\n");
        Files.setPosixFilePermissions(rc, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Process process = new ProcessBuilder("fetchmail", "-f", rc.toString(), "-i", ids.toString(), "--nosyslog",
                "-v").redirectErrorStream(true).redirectOutput(dir.resolve("fetchmail-out").toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }

    private static String run(Path dir, String output, int expected, String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(output).toFile()).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String printed = Files.readString(dir.resolve(output));
        assertThat(process.exitValue()).as(printed).isEqualTo(expected);
        return printed;
    }

    private static long files(Path maildirs) throws IOException {
        try (Stream<Path> all = Files.walk(maildirs)) {
            return all.filter(Files::isRegularFile).filter(p -> p.getParent().getFileName().toString().equals("cur")
                    || p.getParent().getFileName().toString().equals("new")).count();
        }
    }

    private static long messagesIn(Path mbox) throws IOException {
        if (!Files.exists(mbox)) {
            return 0;
        }
        return Files.readAllLines(mbox, StandardCharsets.ISO_8859_1).stream()
                .filter(line -> line.startsWith("Subject:")).count();
    }
}
