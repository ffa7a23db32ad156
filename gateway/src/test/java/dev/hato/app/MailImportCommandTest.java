package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hato import maildir|mbox} against the running server: real files in the layouts Dovecot and Courier write,
 * stored in PostgreSQL, read back through the store: folders, flags, keywords, dates, octets, subscriptions; a second
 * run adds nothing; a message over the size limit is refused and reported.
 */
class MailImportCommandTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    @Test
    void aMaildirShouldKeepFoldersFlagsKeywordsDatesAndSubscriptionsAndAddNothingTheSecondTime() throws Exception {
        RunningHato.User ann = HATO.newUser("maildir");
        Path root = dir.resolve("Maildir");
        Instant seenDate = Instant.parse("2019-04-01T09:30:00Z");
        message(root, "cur/1554111000.M1P1.old:2,S", "Seen in the inbox", seenDate);
        message(root, "new/1554111100.M2P1.old", "Not yet seen", Instant.parse("2019-04-01T09:31:40Z"));
        message(root, "cur/1554111200.M3P1.old:2,FRPab", "Flagged, answered, forwarded, two keywords",
                Instant.parse("2019-04-01T09:33:20Z"));
        Files.writeString(root.resolve("dovecot-keywords"), "0 $Label1\n1 project-x\n");
        write(root.resolve("tmp/1554111300.M4P1.old"), "Subject: half delivered\n\nnot a message yet\n");
        message(root, ".Sent Items/cur/1554112000.M5P1.old:2,S", "Sent from the old client",
                Instant.parse("2019-04-01T10:00:00Z"));
        message(root, ".Lists.hato/cur/1554113000.M6P1.old:2,ST", "Deleted in a list folder",
                Instant.parse("2019-04-01T10:10:00Z"));
        message(root, ".&MOEw,DDqMPMwsDDqMLkwyA-/new/1554114000.M7P1.old", "In a Japanese folder",
                Instant.parse("2019-04-01T10:20:00Z"));
        write(root.resolve(".Lists.hato/cur/1554115000.M8P1.old:2,S"), "Subject: huge\n\n" + "x".repeat(100) + "\n"
                + ("y".repeat(1000) + "\n").repeat(100));
        Files.writeString(root.resolve("subscriptions"), "V\t2\n\nSent Items\nLists\thato\n");

        CliRun first = hato("import", "maildir", root.toString(), "--user", ann.authId(), "--max-size", "64KB");

        assertThat(first.status()).as(first.out() + first.err()).isEqualTo(1);
        assertThat(first.out()).contains("INBOX: 3 found, 3 imported, 0 already there, 0 refused")
                .contains("Sent Items -> Sent: 1 found, 1 imported")
                .contains("Lists/hato: 2 found, 1 imported, 0 already there, 1 refused")
                .contains("refused " + root.resolve(".Lists.hato/cur/1554115000.M8P1.old:2,S") + ": larger than")
                .contains("メーリングリスト: 1 found, 1 imported")
                .contains(ann.address() + ": 4 folders, 7 found, 6 imported, 0 already there, 1 refused, "
                        + "2 subscriptions");
        Map<String, MailboxInfo> boxes = mailboxes(ann);
        assertThat(boxes).containsKeys("INBOX", "Sent", "Lists", "Lists/hato", "メーリングリスト")
                .doesNotContainKey("Sent Items");
        List<MessageMeta> inbox = messages(ann, "INBOX");
        assertThat(inbox).extracting(MessageMeta::flags).containsExactly(Set.of("\\Seen"), Set.of(),
                Set.of("\\Flagged", "\\Answered", "$Forwarded", "$Label1", "project-x"));
        assertThat(inbox).extracting(MessageMeta::internalDate).first().isEqualTo(seenDate);
        assertThat(new String(HATO.content(inbox.get(0)), StandardCharsets.UTF_8))
                .isEqualTo("From: old@example.test\r\nSubject: Seen in the inbox\r\nMessage-ID: <Seen in the inbox"
                        + "@old.example.test>\r\n\r\nSeen in the inbox\r\nsecond line\r\n");
        assertThat(messages(ann, "Sent")).extracting(MessageMeta::flags).containsExactly(Set.of("\\Seen"));
        assertThat(messages(ann, "Lists/hato")).extracting(MessageMeta::flags)
                .containsExactly(Set.of("\\Seen", "\\Deleted"));
        assertThat(messages(ann, "メーリングリスト")).hasSize(1);
        assertThat(HATO.store().mailboxes().subscriptions(ann.accountId()).collectList().block(WAIT))
                .contains("Sent", "Lists/hato");

        CliRun again = hato("import", "maildir", root.toString(), "--user", ann.address(), "--max-size", "64KB",
                "--json");

        assertThat(again.status()).isEqualTo(1);
        assertThat(again.out()).contains("\"folder\":\"INBOX\",\"into\":\"INBOX\",\"found\":3,\"imported\":0,"
                + "\"already_there\":3,\"refused\":0");
        assertThat(messages(ann, "INBOX")).hasSize(3);
        assertThat(messages(ann, "Sent")).hasSize(1);
    }

    @Test
    void aDryRunShouldCountWithoutStoringOrCreatingFolders() throws Exception {
        RunningHato.User bob = HATO.newUser("dryrun");
        Path root = dir.resolve("Maildir");
        message(root, "cur/1.M1P1.old:2,S", "one", Instant.parse("2020-01-01T00:00:00Z"));
        message(root, ".Projects/new/2.M1P1.old", "two", Instant.parse("2020-01-01T00:00:00Z"));

        CliRun dry = hato("import", "maildir", root.toString(), "--user", bob.authId(), "--dry-run");

        assertThat(dry.status()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("Projects: 1 found, 1 to import")
                .contains("dry run for " + bob.address() + ": 2 folders, 2 found, 2 to import");
        assertThat(mailboxes(bob)).doesNotContainKey("Projects");
        assertThat(messages(bob, "INBOX")).isEmpty();
    }

    @Test
    void anMboxTreeShouldBeSplitUnquotedAndItsPrivateFieldsTurnedIntoFlags() throws Exception {
        RunningHato.User cat = HATO.newUser("mbox");
        Path mail = dir.resolve("mail");
        write(mail.resolve("inbox"), ""
                + "From alice@example.test Wed Dec  2 10:00:00 2026\n"
                + "From: alice@example.test\n"
                + "Subject: first\n"
                + "Status: RO\n"
                + "X-Status: AF\n"
                + "X-Keywords: $Label1 project-x\n"
                + "X-UID: 5\n"
                + "Content-Length: 999\n"
                + "Message-ID: <first@example.test>\n"
                + "\n"
                + ">From the start of a line\n"
                + ">>From twice quoted\n"
                + "From not after an empty line stays\n"
                + "> From with a space stays\n"
                + "\n"
                + "From bob@example.test Thu Dec  3 18:30:00 2026 +0900\n"
                + "From: bob@example.test\n"
                + "Subject: second\n"
                + "Status: O\n"
                + "\n"
                + "body\n"
                + "\n");
        write(mail.resolve("Lists.sbd/hato"), ""
                + "From list@example.test bad date\n"
                + "From: list@example.test\n"
                + "Subject: dated by its header\n"
                + "Date: Tue, 1 Dec 2026 08:00:00 +0000\n"
                + "\n"
                + "list mail\n");
        write(mail.resolve("Sent"), "From me@example.test Mon Nov 30 12:00:00 2026\nSubject: sent\n\nsent\n");
        write(mail.resolve("Lists.msf"), "// Thunderbird's index, not mail\n");
        write(mail.resolve(".imap/INBOX/dovecot.index"), "index");
        write(mail.resolve(".subscriptions"), "Lists/hato\n");

        CliRun first = hato("import", "mbox", mail.toString(), "--user", cat.authId());

        assertThat(first.status()).as(first.out() + first.err()).isZero();
        assertThat(first.out()).contains("INBOX: 2 found, 2 imported").contains("Lists/hato: 1 found, 1 imported")
                .contains("Sent: 1 found, 1 imported").doesNotContain("msf").doesNotContain(".imap")
                .contains("3 folders, 4 found, 4 imported, 0 already there, 0 refused, 1 subscriptions");
        List<MessageMeta> inbox = messages(cat, "INBOX");
        assertThat(inbox).extracting(MessageMeta::flags).containsExactly(
                Set.of("\\Seen", "\\Answered", "\\Flagged", "$Label1", "project-x"), Set.of());
        assertThat(inbox).extracting(MessageMeta::internalDate).containsExactly(
                Instant.parse("2026-12-02T10:00:00Z"), Instant.parse("2026-12-03T09:30:00Z"));
        assertThat(new String(HATO.content(inbox.get(0)), StandardCharsets.UTF_8)).isEqualTo(""
                + "From: alice@example.test\r\n"
                + "Subject: first\r\n"
                + "Message-ID: <first@example.test>\r\n"
                + "\r\n"
                + "From the start of a line\r\n"
                + ">From twice quoted\r\n"
                + "From not after an empty line stays\r\n"
                + "> From with a space stays\r\n");
        assertThat(new String(HATO.content(inbox.get(1)), StandardCharsets.UTF_8))
                .isEqualTo("From: bob@example.test\r\nSubject: second\r\n\r\nbody\r\n");
        assertThat(messages(cat, "Lists/hato")).extracting(MessageMeta::internalDate)
                .containsExactly(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(messages(cat, "Sent")).hasSize(1);
        assertThat(HATO.store().mailboxes().subscriptions(cat.accountId()).collectList().block(WAIT))
                .contains("Lists/hato");

        CliRun again = hato("import", "mbox", mail.toString(), "--user", cat.authId());

        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("4 found, 0 imported, 4 already there, 0 refused");
        assertThat(messages(cat, "INBOX")).hasSize(2);
    }

    @Test
    void oneMboxFileShouldGoToTheFolderNamedAndAFileThatIsNoMboxBeRefused() throws Exception {
        RunningHato.User dan = HATO.newUser("mboxfile");
        Path file = dir.resolve("saved.mbox");
        write(file, "From x@example.test Wed Dec  2 10:00:00 2026\nSubject: kept\n\nkept\n");
        Path notMbox = dir.resolve("notes.txt");
        write(notMbox, "Dear diary\n");

        CliRun saved = hato("import", "mbox", file.toString(), "--user", dan.authId(), "--folder", "Old/Saved");
        CliRun notes = hato("import", "mbox", notMbox.toString(), "--user", dan.authId());

        assertThat(saved.status()).as(saved.err()).isZero();
        assertThat(messages(dan, "Old/Saved")).hasSize(1);
        assertThat(notes.status()).isEqualTo(1);
        assertThat(notes.out()).contains("INBOX: 0 found, 0 imported, 0 already there, 1 refused")
                .contains("is not an mbox file");
    }

    @Test
    void dovecotsFsLayoutAndCouriersSubscriptionsShouldBeReadToo() throws Exception {
        RunningHato.User fay = HATO.newUser("fslayout");
        Path root = dir.resolve("Maildir");
        message(root, "cur/1.M1P1.old:2,S", "inbox", Instant.parse("2021-05-01T00:00:00Z"));
        message(root, "Lists/hato/cur/2.M1P1.old:2,F", "nested", Instant.parse("2021-05-02T00:00:00Z"));
        message(root, "Deleted Items/cur/3.M1P1.old:2,ST", "trash", Instant.parse("2021-05-03T00:00:00Z"));
        Files.writeString(root.resolve("courierimapsubscribed"), "INBOX\nINBOX.Lists.hato\n");

        CliRun run = hato("import", "maildir", root.toString(), "--user", fay.authId());

        assertThat(run.status()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).contains("Deleted Items -> Trash: 1 found, 1 imported")
                .contains("Lists/hato: 1 found, 1 imported").contains("2 subscriptions");
        assertThat(messages(fay, "Lists/hato")).extracting(MessageMeta::flags).containsExactly(Set.of("\\Flagged"));
        assertThat(messages(fay, "Trash")).extracting(MessageMeta::flags)
                .containsExactly(Set.of("\\Seen", "\\Deleted"));
        assertThat(mailboxes(fay)).doesNotContainKey("Deleted Items");
        assertThat(HATO.store().mailboxes().subscriptions(fay.accountId()).collectList().block(WAIT))
                .contains("Lists/hato");
    }

    @Test
    void aBatchOverTheQuotaShouldBeRefusedMessageByMessageWithTheReason() throws Exception {
        RunningHato.User gus = HATO.newUser("quota");
        HATO.store().mailboxes().setQuota(gus.accountId(), null, 2L).block(WAIT);
        Path root = dir.resolve("Maildir");
        for (int i = 1; i <= 3; i++) {
            message(root, "cur/" + i + ".M1P1.old:2,S", "message " + i, Instant.parse("2021-05-01T00:00:00Z"));
        }

        CliRun run = hato("import", "maildir", root.toString(), "--user", gus.authId());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).contains("INBOX: 3 found, 0 imported, 0 already there, 3 refused")
                .contains(": not stored: ");
        assertThat(messages(gus, "INBOX")).isEmpty();
    }

    private static Map<String, MailboxInfo> mailboxes(RunningHato.User user) {
        return HATO.store().mailboxes().list(user.accountId()).collectList().block(WAIT).stream()
                .collect(Collectors.toMap(MailboxInfo::name, box -> box));
    }

    private static List<MessageMeta> messages(RunningHato.User user, String name) {
        MailboxInfo box = HATO.store().mailboxes().find(user.accountId(), name).block(WAIT);
        assertThat(box).as(name).isNotNull();
        return HATO.store().mailboxes().messages(user.accountId(), box.id()).collectList().block(WAIT);
    }

    /** A message file with LF line ends, as Maildir keeps them, dated {@code received}. */
    private static void message(Path root, String file, String subject, Instant received) throws IOException {
        Path path = root.resolve(file);
        write(path, "From: old@example.test\nSubject: " + subject + "\nMessage-ID: <" + subject
                + "@old.example.test>\n\n" + subject + "\nsecond line\n");
        Files.setLastModifiedTime(path, FileTime.from(received));
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(path.getParent().getParent().resolve(sub));
        }
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
