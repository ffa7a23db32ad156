package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.imap.wire.ModifiedUtf7;
import dev.hato.store.legacy.Route;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 at the scale the issue names: 10,000 messages in nested Japanese folders with flags, on Debian's Dovecot,
 * copied with every UID and flag kept, verified message by message (SHA-256), a second pass finding nothing new,
 * and the cutover.
 */
class MigrateTenThousandTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final int PER_FOLDER = 2_500;
    private static final String[] FLAGS = {"S", "", "FS", "RS", "", "S", "T", "S"};

    @Test
    void tenThousandMessagesInNestedJapaneseFoldersShouldBeCopiedVerifiedAndMovedWithUidsAndFlagsKept(
            @TempDir Path dir) throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-imapd, -pop3d or -managesieved is not installed");
        RunningHato.User aoi = HATO.newUser("aoiten");
        Path maildir = dir.resolve("dovecot/home/aoi.old/Maildir");
        String lab = "." + ModifiedUtf7.encode("研究室");
        String papers = lab + "." + ModifiedUtf7.encode("論文");
        String year = papers + "." + ModifiedUtf7.encode("二〇二六年");
        Map<String, String> folders = new LinkedHashMap<>(); // Maildir++ folder -> Hato's name
        folders.put("", "INBOX");
        folders.put(lab, "研究室");
        folders.put(papers, "研究室/論文");
        folders.put(year, "研究室/論文/二〇二六年");
        int n = 0;
        for (String folder : folders.keySet()) {
            for (int i = 0; i < PER_FOLDER; i++) {
                n++;
                MigrateCopyTest.message(maildir, folder, n, "メッセージ " + n, FLAGS[i % FLAGS.length]);
            }
        }
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("aoi.old", "aoi-pw"), Map.of())) {
            String name = "ten-" + System.nanoTime();
            assertThat(old.addTo(HATO.dataDir(), name, false).status()).isZero();
            assertThat(hato("legacy", "login", aoi.authId(), "aoi.old").status()).isZero();
            assertThat(hato("route", "set", aoi.authId(), "legacy", name).status()).isZero();

            CliRun copy = hato("migrate", "copy", aoi.address());
            assertThat(copy.status()).as(copy.out() + copy.err()).isZero();
            assertThat(copy.out()).contains(aoi.address() + ": 4 folders, 10000 found, 10000 imported");
            for (Map.Entry<String, String> folder : folders.entrySet()) {
                MailboxInfo box = HATO.store().mailboxes().find(aoi.accountId(), folder.getValue()).block();
                assertThat(box).as(folder.getValue()).isNotNull();
                List<MessageMeta> messages = HATO.store().mailboxes().messages(aoi.accountId(), box.id())
                        .collectList().block();
                // Dovecot numbered the files 1..2500 in each folder; Hato kept the numbers
                assertThat(messages).hasSize(PER_FOLDER);
                assertThat(messages.get(0).uid()).isEqualTo(1);
                assertThat(messages.get(PER_FOLDER - 1).uid()).isEqualTo(PER_FOLDER);
                for (Map.Entry<String, String> flag : Map.of("S", "\\Seen", "F", "\\Flagged", "R", "\\Answered",
                        "T", "\\Deleted").entrySet()) {
                    assertThat(messages).as(folder.getValue() + " " + flag.getValue())
                            .filteredOn(m -> m.flags().contains(flag.getValue())).hasSize(expected(flag.getKey()));
                }
            }

            CliRun verify = hato("migrate", "verify", aoi.address());
            assertThat(verify.status()).as(verify.out() + verify.err()).isZero();
            assertThat(verify.out()).contains(aoi.address() + ": 10000 messages, 10000 verified, 0 missing or "
                    + "different", "研究室/論文/二〇二六年: 2500 on " + name + ", 2500 verified");
            CliRun again = hato("migrate", "copy", aoi.address());
            assertThat(again.out()).contains(aoi.address() + ": 4 folders, 0 found, 0 imported");

            CliRun cutover = hato("migrate", "cutover", aoi.address());
            assertThat(cutover.status()).as(cutover.out() + cutover.err()).isZero();
            assertThat(HATO.store().legacyBackends().route(aoi.accountId()).block()).isEqualTo(Route.LOCAL);
            assertThat(HATO.store().mailboxes().messages(aoi.accountId(), HATO.store().mailboxes()
                    .find(aoi.accountId(), "INBOX").block().id()).count().block()).isEqualTo(PER_FOLDER);
        }
    }

    /** How many messages of a folder carry the Maildir flag letter {@code flag}. */
    private static int expected(String flag) {
        int count = 0;
        for (int i = 0; i < PER_FOLDER; i++) {
            count += FLAGS[i % FLAGS.length].contains(flag) ? 1 : 0;
        }
        return count;
    }

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }
}
