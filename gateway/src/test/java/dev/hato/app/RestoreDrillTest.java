package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.activation.DataHandler;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore drill (docs/operations.md, "Backup and restore"): a running Hato with mail, folders, flags, keywords,
 * aliases and a DKIM key is backed up with {@code hato backup} while it serves, then stopped; the archive is restored
 * with {@code hato restore} into a new data directory and Hato started there. Everything a person and an operator
 * see must be the same, down to every message's bytes and every UID, and mail that arrived after the backup must be
 * missing, which shows the restored state came from the archive and nowhere else.
 */
class RestoreDrillTest {

    @TempDir
    Path original;

    @TempDir
    Path restored;

    @TempDir
    Path backups;

    @Test
    void aBackupTakenWhileHatoRunsShouldRestoreEveryMessageFlagFolderAndAccount() throws Exception {
        Path archive = backups.resolve("hato.backup");
        RunningHato.User alice;
        RunningHato.User bob;
        Map<String, FolderState> aliceBefore;
        Map<String, FolderState> bobBefore;
        List<String> bobUidlBefore;
        String dkimBefore;
        String aliasesBefore;
        try (RunningHato hato = RunningHato.start(original, "--hato.outbound.enabled=false")) {
            hato.provisioning().addDomain(RunningHato.DOMAIN).block();
            alice = hato.newUser("alice");
            bob = hato.newUser("bob");
            assertThat(CliRun.of(original, "", "alias", "add", "team@" + RunningHato.DOMAIN, alice.address(),
                    bob.address()).status()).isZero();
            assertThat(CliRun.of(original, "", "dkim", "keygen", RunningHato.DOMAIN, "--selector", "drill",
                    "--algorithm", "ed25519").status()).isZero();

            send(hato, alice.address(), plain("first", "one\r\n"));
            send(hato, alice.address(), japaneseWithAttachment());
            send(hato, alice.address(), plain("third", "three\r\n.\r\n..dots\r\n"));
            send(hato, "team@" + RunningHato.DOMAIN, plain("to the team", "both of you\r\n"));
            send(hato, bob.address(), plain("for bob", "pop me\r\n"));

            organise(hato, alice);
            aliceBefore = imapState(hato, alice);
            bobBefore = imapState(hato, bob);
            bobUidlBefore = uidls(hato, bob);
            assertThat(aliceBefore.get("INBOX").messages()).hasSize(3);
            assertThat(aliceBefore.get("Projects/日本語").messages()).hasSize(2);
            assertThat(bobBefore.get("INBOX").messages()).hasSize(2);
            dkimBefore = CliRun.of(original, "", "dkim", "show", RunningHato.DOMAIN).out();
            aliasesBefore = CliRun.of(original, "", "alias", "list", RunningHato.DOMAIN).out();
            assertThat(dkimBefore).contains("drill._domainkey");
            assertThat(aliasesBefore).contains("team@");

            CliRun backup = CliRun.of(original, "", "backup", "--to", archive.toString());
            assertThat(backup.status()).as(backup.err()).isZero();
            assertThat(backup.out()).startsWith("backed up ").contains("(schema version ");
            assertThat(archive).isNotEmptyFile();
            assertThat(backups.resolve("hato.backup.partial")).doesNotExist();

            // After the backup: must not come back.
            send(hato, alice.address(), plain("after the backup", "too late\r\n"));
            assertThat(imapState(hato, alice).get("INBOX").messages()).hasSize(4);
        }

        CliRun restore = CliRun.of(restored, "", "restore", "--from", archive.toString());
        assertThat(restore.status()).as(restore.err()).isZero();
        assertThat(restore.out()).startsWith("restored ");
        CliRun again = CliRun.of(restored, "", "restore", "--from", archive.toString());
        assertThat(again.status()).isEqualTo(1);
        assertThat(again.err()).contains("the database is not empty").contains("--force");

        try (RunningHato hato = RunningHato.start(restored, "--hato.outbound.enabled=false")) {
            Map<String, FolderState> aliceAfter = imapState(hato, alice);
            assertThat(aliceAfter).isEqualTo(aliceBefore);
            assertThat(imapState(hato, bob)).isEqualTo(bobBefore);
            assertThat(uidls(hato, bob)).isEqualTo(bobUidlBefore);
            assertThat(CliRun.of(restored, "", "dkim", "show", RunningHato.DOMAIN).out()).isEqualTo(dkimBefore);
            assertThat(CliRun.of(restored, "", "alias", "list", RunningHato.DOMAIN).out()).isEqualTo(aliasesBefore);

            // The restored store goes on where the backup left it: the next message takes the next UID, and new
            // rows get fresh ids (the sequences came back too).
            send(hato, "team@" + RunningHato.DOMAIN, plain("after the restore", "welcome back\r\n"));
            Map<String, FolderState> aliceNow = imapState(hato, alice);
            FolderState inbox = aliceNow.get("INBOX");
            FolderState inboxBefore = aliceBefore.get("INBOX");
            assertThat(inbox.messages()).hasSize(4).containsAllEntriesOf(inboxBefore.messages());
            assertThat(inbox.messages().lastKey()).isEqualTo(inboxBefore.uidNext());
            assertThat(imapState(hato, bob).get("INBOX").messages()).hasSize(3);
        }
    }

    /** A folder as a client sees it: UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, and UID to flags and SHA-256. */
    record FolderState(long uidValidity, long uidNext, long highestModSeq, boolean subscribed,
                       TreeMap<Long, String> messages) { }

    private static Map<String, FolderState> imapState(RunningHato hato, RunningHato.User user) throws Exception {
        Map<String, FolderState> folders = new TreeMap<>();
        try (Store store = Session.getInstance(imapProperties()).getStore("imaps")) {
            store.connect("127.0.0.1", hato.port("imaps"), user.authId(), user.password());
            for (Folder listed : store.getDefaultFolder().list("*")) {
                if ((listed.getType() & Folder.HOLDS_MESSAGES) == 0) {
                    continue;
                }
                IMAPFolder folder = (IMAPFolder) listed;
                folder.open(Folder.READ_ONLY);
                TreeMap<Long, String> messages = new TreeMap<>();
                for (Message message : folder.getMessages()) {
                    IMAPMessage imap = (IMAPMessage) message;
                    String flags = flags(imap.getFlags()); // before the body is read (PEEK keeps \Seen anyway)
                    ByteArrayOutputStream raw = new ByteArrayOutputStream();
                    imap.writeTo(raw);
                    messages.put(folder.getUID(message), flags + " sha256=" + HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(raw.toByteArray())));
                }
                folders.put(folder.getFullName(), new FolderState(folder.getUIDValidity(), folder.getUIDNext(),
                        ((IMAPStore) store).hasCapability("CONDSTORE") ? folder.getHighestModSeq() : -1,
                        folder.isSubscribed(), messages));
                folder.close(false);
            }
        }
        return folders;
    }

    private static String flags(Flags flags) {
        TreeSet<String> names = new TreeSet<>(Arrays.asList(flags.getUserFlags()));
        for (Flags.Flag flag : flags.getSystemFlags()) {
            names.add(flag == Flags.Flag.SEEN ? "\\Seen" : flag == Flags.Flag.FLAGGED ? "\\Flagged"
                    : flag == Flags.Flag.ANSWERED ? "\\Answered" : flag == Flags.Flag.DELETED ? "\\Deleted"
                    : flag == Flags.Flag.DRAFT ? "\\Draft" : flag == Flags.Flag.RECENT ? "\\Recent" : "?");
        }
        names.remove("\\Recent"); // a session's view, not a stored flag
        return String.join(" ", names);
    }

    /** Folders, flags and keywords, as a person would set them. */
    private static void organise(RunningHato hato, RunningHato.User user) throws Exception {
        try (Store store = Session.getInstance(imapProperties()).getStore("imaps")) {
            store.connect("127.0.0.1", hato.port("imaps"), user.authId(), user.password());
            Folder projects = store.getFolder("Projects/日本語");
            assertThat(projects.create(Folder.HOLDS_MESSAGES)).isTrue();
            projects.setSubscribed(true);
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            Message[] messages = inbox.getMessages();
            assertThat(messages).hasSize(4);
            messages[0].setFlags(new Flags(Flags.Flag.SEEN), true);
            Flags flaggedAndKeyword = new Flags(Flags.Flag.FLAGGED);
            flaggedAndKeyword.add("$Important");
            flaggedAndKeyword.add("Todo");
            messages[1].setFlags(flaggedAndKeyword, true);
            messages[2].setFlags(new Flags(Flags.Flag.ANSWERED), true);
            messages[3].setFlags(new Flags(Flags.Flag.DELETED), true); // marked, not expunged
            inbox.copyMessages(new Message[] {messages[1]}, projects);
            inbox.moveMessages(new Message[] {messages[0]}, projects);
            inbox.close(false);
        }
    }

    private static List<String> uidls(RunningHato hato, RunningHato.User user) throws Exception {
        try (SocketTransport pop = new SocketTransport(hato.port("pop3s"), true)) {
            assertThat(pop.readLine()).startsWith("+OK");
            pop.send(("AUTH PLAIN " + user.plain() + "\r\nUIDL\r\nQUIT\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(pop.readLine()).startsWith("+OK Logged in");
            assertThat(pop.readLine()).startsWith("+OK");
            List<String> lines = new ArrayList<>();
            for (String line = pop.readLine(); !line.equals("."); line = pop.readLine()) {
                lines.add(line);
            }
            return lines;
        }
    }

    private static void send(RunningHato hato, String to, MimeMessage message) throws Exception {
        message.setRecipients(Message.RecipientType.TO, to);
        message.saveChanges();
        Session session = Session.getInstance(MailFlowTest.clientProperties());
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect("127.0.0.1", hato.port("smtp"), null, null);
            transport.sendMessage(message, message.getAllRecipients());
        }
    }

    private static MimeMessage plain(String subject, String text) throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom("someone@remote.example");
        message.setSubject(subject);
        message.setText(text, "UTF-8");
        return message;
    }

    private static MimeMessage japaneseWithAttachment() throws Exception {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setFrom("tanaka@remote.example");
        message.setSubject("バックアップの確認 (restore drill)", "UTF-8");
        MimeBodyPart text = new MimeBodyPart();
        text.setText("添付ファイルを確認してください。\r\n", "ISO-2022-JP");
        MimeBodyPart attachment = new MimeBodyPart();
        byte[] bytes = new byte[50_000];
        new java.util.Random(19).nextBytes(bytes);
        attachment.setDataHandler(new DataHandler(new ByteArrayDataSource(bytes, "application/octet-stream")));
        attachment.setFileName("資料.bin");
        message.setContent(new MimeMultipart(text, attachment));
        return message;
    }

    private static Properties imapProperties() {
        Properties properties = MailFlowTest.clientProperties();
        properties.put("mail.imaps.ssl.trust", "*");
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        properties.put("mail.imaps.connectiontimeout", "15000");
        properties.put("mail.imaps.timeout", "30000");
        properties.put("mail.imaps.peek", "true");
        return properties;
    }
}
