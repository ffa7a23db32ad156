package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.imap.wire.ModifiedUtf7;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.UIDFolder;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hato migrate copy} against Debian's Dovecot: folders (nested, Japanese, Maildir++ with '.' as delimiter),
 * flags, keywords and internal dates, each folder's UIDVALIDITY and every UID kept (a gap left by an expunge too); a
 * second pass copies only what is new; after the switch, a client sees in Hato the UIDVALIDITY and UIDs it knew.
 */
class MigrateCopyTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Instant RECEIVED = Instant.parse("2023-11-14T22:13:20Z");

    @Test
    void aPersonsFoldersShouldBeCopiedWithTheirUidsAndOnlyNewMailOnTheSecondPass(@TempDir Path dir)
            throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        RunningHato.User hana = HATO.newUser("hanacopy");
        String japanese = ".Lists." + ModifiedUtf7.encode("日本語");
        Path maildir = dir.resolve("dovecot/home/hana.old/Maildir");
        message(maildir, "", 1, "one", "S");
        message(maildir, "", 2, "two (expunged)", "");
        message(maildir, "", 3, "three", "F");
        message(maildir, japanese, 4, "リスト一", "S");
        message(maildir, japanese, 5, "リスト二", "");
        message(maildir, ".Sent", 6, "sent one", "S");
        Files.writeString(maildir.resolve("subscriptions"), "Lists.日本語\nSent\n".replace("日本語",
                ModifiedUtf7.encode("日本語")));

        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("hana.old", "hana-pw"),
                Map.of())) {
            String name = "copy-" + System.nanoTime();
            CliRun added = old.addTo(HATO.dataDir(), name, true);
            assertThat(added.status()).as(added.err()).isZero();
            assertThat(hato("legacy", "login", hana.authId(), "hana.old").status()).isZero();
            assertThat(hato("route", "set", hana.authId(), "legacy", name).status()).isZero();
            Map<String, Long> oldValidity = new LinkedHashMap<>();
            Map<String, List<Long>> oldUids = new LinkedHashMap<>();
            onDovecot(old, store -> {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_WRITE);
                Message second = ((UIDFolder) inbox).getMessageByUID(2);
                second.setFlag(Flags.Flag.DELETED, true);
                inbox.expunge();
                ((UIDFolder) inbox).getMessageByUID(3).setFlags(new Flags("$Work"), true);
                inbox.close(false);
                for (String folder : List.of("INBOX", "Lists.日本語", "Sent")) {
                    Folder open = store.getFolder(folder);
                    open.open(Folder.READ_ONLY);
                    oldValidity.put(folder, ((UIDFolder) open).getUIDValidity());
                    List<Long> uids = new ArrayList<>();
                    for (Message message : open.getMessages()) {
                        uids.add(((UIDFolder) open).getUID(message));
                    }
                    oldUids.put(folder, uids);
                    open.close(false);
                }
                return null;
            });
            assertThat(oldUids.get("INBOX")).containsExactly(1L, 3L);

            CliRun first = hato("migrate", "copy", hana.address());
            assertThat(first.status()).as(first.out() + first.err()).isZero();
            assertThat(first.out()).contains("INBOX: 2 found, 2 imported", "Lists/日本語: 2 found, 2 imported",
                    "Sent: 1 found, 1 imported");

            MailboxInfo inbox = mailbox(hana, "INBOX");
            assertThat(inbox.uidValidity()).isEqualTo(oldValidity.get("INBOX"));
            List<MessageMeta> copied = messages(hana, inbox);
            assertThat(copied).extracting(MessageMeta::uid).containsExactly(1L, 3L);
            assertThat(copied.get(0).flags()).containsExactly("\\Seen");
            assertThat(copied.get(1).flags()).containsExactlyInAnyOrder("\\Flagged", "$Work");
            assertThat(copied.get(0).internalDate()).isEqualTo(RECEIVED.plusSeconds(1));
            MailboxInfo lists = mailbox(hana, "Lists/日本語");
            assertThat(lists.uidValidity()).isEqualTo(oldValidity.get("Lists.日本語"));
            assertThat(messages(hana, lists)).extracting(MessageMeta::uid)
                    .containsExactlyElementsOf(oldUids.get("Lists.日本語"));
            MailboxInfo sent = mailbox(hana, "Sent");
            assertThat(sent.specialUse()).isEqualTo("\\Sent");
            assertThat(sent.uidValidity()).isEqualTo(oldValidity.get("Sent"));
            assertThat(HATO.store().mailboxes().subscriptions(hana.accountId()).collectList().block(WAIT))
                    .contains("Lists/日本語", "Sent");

            long newUid = onDovecot(old, store -> {
                Folder box = store.getFolder("INBOX");
                box.open(Folder.READ_WRITE);
                MimeMessage fresh = new MimeMessage(Session.getInstance(new Properties()),
                        new ByteArrayInputStream(("From: x@old.example\r\nSubject: four\r\n\r\nnew on the old "
                                + "server\r\n").getBytes(StandardCharsets.US_ASCII)));
                // RFC 4315 APPENDUID: the UID the old server gave it
                long uid = ((org.eclipse.angus.mail.imap.IMAPFolder) box).appendUIDMessages(
                        new Message[] {fresh})[0].uid;
                box.close(false);
                return uid;
            });
            CliRun behind = hato("migrate", "verify", hana.authId());
            assertThat(behind.status()).as(behind.out() + behind.err()).isEqualTo(1);
            assertThat(behind.out()).contains("INBOX: 3 on " + name + ", 2 verified, 1 missing or different",
                    "UID " + newUid + ": missing in Hato");
            // Meanwhile on the old server: a message read and answered, another expunged.
            onDovecot(old, store -> {
                Folder box = store.getFolder("INBOX");
                box.open(Folder.READ_WRITE);
                Message first1 = ((UIDFolder) box).getMessageByUID(1);
                first1.setFlag(Flags.Flag.SEEN, false);
                first1.setFlag(Flags.Flag.ANSWERED, true);
                box.close(false);
                Folder listsThere = store.getFolder("Lists.日本語");
                listsThere.open(Folder.READ_WRITE);
                ((UIDFolder) listsThere).getMessageByUID(oldUids.get("Lists.日本語").get(0))
                        .setFlag(Flags.Flag.DELETED, true);
                listsThere.close(true);
                return null;
            });
            CliRun second = hato("migrate", "copy", hana.authId());
            assertThat(second.status()).as(second.out() + second.err()).isZero();
            assertThat(second.out()).contains("INBOX: 1 found, 1 imported",
                    "since the last pass (CONDSTORE): 1 with new flags, 0 expunged there and here", "Lists/日本語: 0 found, 0 imported",
                    "since the last pass (CONDSTORE): 0 with new flags, 1 expunged there and here");
            assertThat(messages(hana, mailbox(hana, "INBOX")).get(0).flags()).containsExactly("\\Answered");
            assertThat(messages(hana, mailbox(hana, "Lists/日本語"))).extracting(MessageMeta::uid)
                    .containsExactly(oldUids.get("Lists.日本語").get(1));
            assertThat(messages(hana, mailbox(hana, "INBOX"))).extracting(MessageMeta::uid)
                    .containsExactly(1L, 3L, newUid);
            CliRun verified = hato("migrate", "verify", hana.authId());
            assertThat(verified.status()).as(verified.out() + verified.err()).isZero();
            assertThat(verified.out()).contains("INBOX: 3 on " + name + ", 3 verified, 0 missing or different",
                    "Lists/日本語: 1 on " + name + ", 1 verified", hana.address() + ": 5 messages, 5 verified");

            List<String> oldUidls = uidls(old.pop3Port(), false, "hana.old", "hana-pw");
            assertThat(oldUidls).hasSize(3);

            // The switch: the client sees the UIDVALIDITY and UIDs it knew; new mail gets UIDs above the old ones.
            assertThat(hato("route", "set", hana.authId(), "local").status()).isZero();
            // a POP3 client that leaves mail on the server sees the unique-ids it knew: it downloads nothing again
            assertThat(uidls(HATO.port("pop3s"), true, hana.authId(), hana.password())).isEqualTo(oldUidls);
            ImapLines.deliver(HATO, hana, "first mail in Hato");
            try (Store store = hatoStore(hana)) {
                Folder box = store.getFolder("INBOX");
                box.open(Folder.READ_ONLY);
                assertThat(((UIDFolder) box).getUIDValidity()).isEqualTo(oldValidity.get("INBOX"));
                List<Long> uids = new ArrayList<>();
                for (Message message : box.getMessages()) {
                    uids.add(((UIDFolder) box).getUID(message));
                }
                assertThat(uids).hasSize(4).startsWith(1L, 3L, newUid);
                assertThat(uids.get(3)).isGreaterThan(newUid);
                box.close(false);
            }
        }
    }

    @Test
    void aCutoverShouldMoveThePersonAndARollbackShouldCopyBackWhatArrivedInHatoOnce(@TempDir Path dir)
            throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        RunningHato.User kiko = HATO.newUser("kikomove");
        Path maildir = dir.resolve("dovecot/home/kiko.old/Maildir");
        message(maildir, "", 1, "old one", "S");
        message(maildir, "", 2, "old two", "");
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("kiko.old", "kiko-pw"),
                Map.of())) {
            String name = "move-" + System.nanoTime();
            CliRun added = old.addTo(HATO.dataDir(), name, true);
            assertThat(added.status()).as(added.err()).isZero();
            assertThat(hato("legacy", "login", kiko.authId(), "kiko.old").status()).isZero();
            assertThat(hato("route", "set", kiko.authId(), "legacy", name).status()).isZero();

            // the old system's throttle: one person at a time, whatever --parallel says
            CliRun throttled = hato("legacy", "throttle", name, "--max-connections", "1", "--max-rate", "50MB");
            assertThat(throttled.status()).as(throttled.err()).isZero();
            assertThat(throttled.out()).contains(name + ": at most 1 connections, at most 52428800 octets/s each");
            assertThat(hato("legacy", "throttle", name, "--max-connections", "0").err())
                    .contains("--max-connections is 1 to 1000 or none");
            // a batch: one person fails (no old system named), the other is copied all the same
            RunningHato.User stay = HATO.newUser("staylocal");
            Path csv = dir.resolve("people.csv");
            Files.writeString(csv, "address\n" + kiko.address() + "\n# a comment\n" + stay.authId() + ",x\n");
            CliRun batch = hato("migrate", "copy", "--csv", csv.toString(), "--parallel", "2");
            assertThat(batch.status()).as(batch.out() + batch.err()).isEqualTo(1);
            assertThat(batch.out()).contains(kiko.address() + ": 1 folders, 2 found, 2 imported",
                    stay.address() + ": failed: the route of " + stay.address() + " names no old system",
                    "2 people, 1 without a problem");
            // not a terminal: the progress as lines on standard error, the last one when all are done
            assertThat(batch.err()).contains("migrate: 2/2 people done, 2 messages stored");
            assertThat(hato("migrate", "status", "--domain", RunningHato.DOMAIN).out())
                    .contains(kiko.address() + "\t" + name + "\tcopied\t1 passes, 2 copied, 0 refused, not verified");

            CliRun cutover = hato("migrate", "cutover", kiko.address());
            assertThat(cutover.status()).as(cutover.out() + cutover.err()).isZero();
            // the batch copied everything already: both passes of the cutover find nothing new
            assertThat(cutover.out()).contains("INBOX: 0 found, 0 imported",
                    "route of " + kiko.address() + ": local");
            assertThat(hato("route", "show", kiko.authId()).out()).contains("\tlocal");
            assertThat(hato("migrate", "status", "--json").out()).contains("\"address\":\"" + kiko.address() + "\"",
                    "\"state\":\"moved\"", "\"passes\":3", "\"copied\":2");
            ImapLines.deliver(HATO, kiko, "after the move");
            Eventually.until(() -> HATO.inbox(kiko).size() == 3, "the new mail in Hato", WAIT);

            CliRun rollback = hato("migrate", "rollback", kiko.authId(), "--legacy", name);
            assertThat(rollback.status()).as(rollback.out() + rollback.err()).isZero();
            assertThat(rollback.out()).contains("route of " + kiko.address() + ": legacy:" + name,
                    "INBOX -> INBOX on " + name + ": 1 arrived in Hato, 1 copied back");
            CliRun again = hato("migrate", "rollback", kiko.authId(), "--legacy", name);
            assertThat(again.status()).as(again.out() + again.err()).isZero();
            assertThat(again.out()).doesNotContain("1 copied back");

            List<String> onTheOldServer = onDovecot(old, "kiko.old", "kiko-pw", store -> subjects(store, "INBOX"));
            assertThat(onTheOldServer).containsExactly("old one", "old two", "after the move");
            // and their login to Hato is passed on to the old server again
            assertThat(LegacyProxyTest.subjects("pop3s", kiko)).containsExactly("old one", "old two",
                    "after the move");
        }
    }

    @Test
    void withNotifyThePersonShouldBeToldInTheOldInboxAtTheStartAndInHatoWhenMovedInJapaneseAndEnglish(
            @TempDir Path dir) throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        RunningHato.User miko = HATO.newUser("mikonotice");
        Instant started = Instant.now().minusSeconds(1);
        message(dir.resolve("dovecot/home/miko.old/Maildir"), "", 1, "old one", "S");
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("miko.old", "miko-pw"),
                Map.of())) {
            String name = "notice-" + System.nanoTime();
            assertThat(old.addTo(HATO.dataDir(), name, false)
                    .status()).isZero();
            assertThat(hato("legacy", "login", miko.authId(), "miko.old").status()).isZero();
            assertThat(hato("route", "set", miko.authId(), "legacy", name).status()).isZero();

            CliRun first = hato("migrate", "copy", miko.authId(), "--notify");
            assertThat(first.status()).as(first.out() + first.err()).isZero();
            assertThat(first.out()).contains("INBOX: 2 found, 2 imported");
            assertThat(hato("migrate", "copy", miko.authId(), "--notify").out()).contains("INBOX: 0 found");
            List<String> there = onDovecot(old, "miko.old", "miko-pw", store -> {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                List<String> subjects = new ArrayList<>();
                String text = "";
                for (Message message : inbox.getMessages()) {
                    subjects.add(message.getSubject());
                    if (!message.getSubject().equals("old one")) {
                        text = (String) message.getContent();
                    }
                }
                inbox.close(false);
                subjects.add(text);
                return subjects;
            });
            assertThat(there.subList(0, 2)).containsExactlyInAnyOrder("old one",
                    "メールボックスの移行を始めました / Your mailbox is being moved");
            assertThat(there.get(2)).contains("移行しています", miko.address(), "is being moved");

            CliRun cutover = hato("migrate", "cutover", miko.authId(), "--notify");
            assertThat(cutover.status()).as(cutover.out() + cutover.err()).isZero();
            List<MessageMeta> inHato = HATO.inbox(miko);
            assertThat(inHato).hasSize(3);
            String done = new String(HATO.content(inHato.get(2)), StandardCharsets.UTF_8);
            assertThat(done).contains("Auto-Submitted: auto-generated", "To: " + miko.address());
            MimeMessage parsed = new MimeMessage(Session.getInstance(new Properties()),
                    new ByteArrayInputStream(HATO.content(inHato.get(2))));
            assertThat(parsed.getSubject()).isEqualTo("メールボックスの移行が終わりました / Your mailbox has been moved");
            assertThat((String) parsed.getContent()).contains("移行が終わりました", "Messages moved: 2");

            // The mail0915 case: what arrived in Hato since the start, copied to the old server by the command.
            ImapLines.deliver(HATO, miko, "arrived in Hato");
            Eventually.until(() -> HATO.inbox(miko).size() == 4, "the delivery", WAIT);
            String since = started.toString();
            CliRun intoFolder = hato("migrate", "copy-back", miko.authId(), "--legacy", name, "--since", since,
                    "--folder", "mail0915");
            assertThat(intoFolder.status()).as(intoFolder.out() + intoFolder.err()).isZero();
            assertThat(intoFolder.out()).contains(miko.address() + ": 3 in the window, 3 copied back, 0 there already");
            assertThat(hato("migrate", "copy-back", miko.authId(), "--legacy", name, "--since", since, "--folder",
                    "mail0915").out()).contains(": 3 in the window, 0 copied back, 3 there already");
            // into INBOX for POP3 people: the start notice is there already
            assertThat(hato("migrate", "copy-back", miko.authId(), "--legacy", name, "--since", since, "--inbox")
                    .out()).contains(": 3 in the window, 2 copied back, 1 there already");
            List<String> folder = onDovecot(old, "miko.old", "miko-pw", store -> subjects(store, "mail0915"));
            assertThat(folder).containsExactlyInAnyOrder("arrived in Hato",
                    "メールボックスの移行を始めました / Your mailbox is being moved",
                    "メールボックスの移行が終わりました / Your mailbox has been moved");
        }
    }

    @Test
    void aCopyKilledWithSigkillShouldResumeWithoutADuplicateOrALoss(@TempDir Path dir) throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        RunningHato.User nao = HATO.newUser("naokill");
        int total = 3000;
        Path maildir = dir.resolve("dovecot/home/nao.old/Maildir");
        for (int n = 1; n <= total; n++) {
            message(maildir, "", n, "message " + n, n % 2 == 0 ? "S" : "");
        }
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("nao.old", "nao-pw"),
                Map.of())) {
            String name = "kill-" + System.nanoTime();
            assertThat(old.addTo(HATO.dataDir(), name, false)
                    .status()).isZero();
            assertThat(hato("legacy", "login", nao.authId(), "nao.old").status()).isZero();
            assertThat(hato("route", "set", nao.authId(), "legacy", name).status()).isZero();

            // A copy in a process of its own, slowed to 100 KB/s so that it is killed half-way.
            Process copy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Hato.class.getName(), "migrate", "copy",
                    nao.authId(), "--max-rate", "100KB", "--data-dir", HATO.dataDir().toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("copy.out").toFile()).start();
            try {
                Eventually.until(() -> inboxSize(nao) >= 300 || !copy.isAlive(), "a few batches committed",
                        Duration.ofSeconds(90));
                assertThat(copy.isAlive()).as(Files.readString(dir.resolve("copy.out"))).isTrue();
            } finally {
                copy.destroyForcibly(); // SIGKILL
                copy.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            int copiedBefore = inboxSize(nao);
            assertThat(copiedBefore).isBetween(100, total - 1);

            CliRun resumed = hato("migrate", "copy", nao.authId());
            assertThat(resumed.status()).as(resumed.out() + resumed.err()).isZero();
            assertThat(resumed.out()).contains("INBOX: " + (total - copiedBefore) + " found, "
                    + (total - copiedBefore) + " imported");
            List<MessageMeta> all = messages(nao, mailbox(nao, "INBOX"));
            assertThat(all).extracting(MessageMeta::uid).doesNotHaveDuplicates().hasSize(total);
            CliRun verified = hato("migrate", "verify", nao.authId());
            assertThat(verified.out()).as(verified.err()).contains("INBOX: " + total + " on " + name + ", " + total
                    + " verified, 0 missing or different");
        }
    }

    private static int inboxSize(RunningHato.User user) {
        MailboxInfo inbox = mailbox(user, "INBOX");
        return inbox == null ? 0 : messages(user, inbox).size();
    }

    /** The POP3 unique-ids of a maildrop, as Angus Mail reads them. */
    private static List<String> uidls(int port, boolean implicitTls, String user, String password) throws Exception {
        String protocol = implicitTls ? "pop3s" : "pop3";
        Properties properties = new Properties();
        properties.put("mail." + protocol + ".ssl.trust", "*");
        properties.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        if (!implicitTls) {
            properties.put("mail.pop3.starttls.enable", "true");
            properties.put("mail.pop3.starttls.required", "true");
        }
        try (Store store = Session.getInstance(properties).getStore(protocol)) {
            store.connect("127.0.0.1", port, user, password);
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            List<String> uidls = new ArrayList<>();
            for (Message message : inbox.getMessages()) {
                uidls.add(((org.eclipse.angus.mail.pop3.POP3Folder) inbox).getUID(message));
            }
            inbox.close(false);
            return uidls;
        }
    }

    /** The subjects of a folder's messages on the old server, in its order. */
    static List<String> subjects(Store store, String name) throws Exception {
        Folder box = store.getFolder(name);
        box.open(Folder.READ_ONLY);
        List<String> subjects = new ArrayList<>();
        for (Message message : box.getMessages()) {
            subjects.add(message.getSubject());
        }
        box.close(false);
        return subjects;
    }

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    private static MailboxInfo mailbox(RunningHato.User user, String name) {
        return HATO.store().mailboxes().find(user.accountId(), name).block(WAIT);
    }

    private static List<MessageMeta> messages(RunningHato.User user, MailboxInfo box) {
        return HATO.store().mailboxes().messages(user.accountId(), box.id()).collectList().block(WAIT);
    }

    /** A message file in the Maildir++ folder {@code folder} ("" for INBOX), received at a known time. */
    static void message(Path maildir, String folder, int n, String subject, String flags) throws Exception {
        Path box = folder.isEmpty() ? maildir : maildir.resolve(folder);
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(box.resolve(sub));
        }
        String encoded = "=?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(
                subject.getBytes(StandardCharsets.UTF_8)) + "?=";
        Path file = box.resolve("cur/17000000" + n + ".M" + n + ".old.example:2," + flags);
        Files.writeString(file, "From: someone@old.example\r\nSubject: " + encoded + "\r\nMessage-ID: <m" + n
                + "@old.example>\r\n\r\nbody " + n + "\r\n", StandardCharsets.US_ASCII);
        Files.setLastModifiedTime(file, FileTime.from(RECEIVED.plusSeconds(n)));
    }

    private static <T> T onDovecot(LegacyDovecot old, StoreWork<T> work) throws Exception {
        return onDovecot(old, "hana.old", "hana-pw", work);
    }

    static <T> T onDovecot(LegacyDovecot old, String user, String password, StoreWork<T> work)
            throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imap.starttls.enable", "true");
        properties.put("mail.imap.starttls.required", "true");
        properties.put("mail.imap.ssl.trust", "*");
        properties.put("mail.imap.ssl.checkserveridentity", "false");
        try (Store store = Session.getInstance(properties).getStore("imap")) {
            store.connect("127.0.0.1", old.imapPort(), user, password);
            return work.run(store);
        }
    }

    private static Store hatoStore(RunningHato.User user) throws Exception {
        Properties properties = new Properties();
        properties.put("mail.imaps.ssl.trust", "*");
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        Store store = Session.getInstance(properties).getStore("imaps");
        store.connect("127.0.0.1", HATO.port("imaps"), user.authId(), user.password());
        return store;
    }

    interface StoreWork<T> {
        T run(Store store) throws Exception;
    }
}
