package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hato.store.directory.Forwarding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hato settings import}: people's Sieve scripts read from the old system's ManageSieve server (Dovecot with
 * Pigeonhole from Debian) and their .forward files, carried over with a report of what could not be.
 */
class SettingsImportTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void scriptsAndForwardingShouldBeCarriedOverAndWhatCannotBeShouldBeReported(@TempDir Path dir)
            throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-managesieved, -imapd or -pop3d is not installed");
        RunningHato.User ann = HATO.newUser("annimport");
        RunningHato.User ben = HATO.newUser("benimport");
        Map<String, String> annScripts = new LinkedHashMap<>();
        annScripts.put("filters", "require \"fileinto\";\nif header :contains \"subject\" \"[ml]\" {\n"
                + "  fileinto \"Lists\";\n}\n");
        annScripts.put("piped", "require \"vnd.dovecot.pipe\";\npipe \"archive\";\n");
        annScripts.put("不在", "require \"vacation\";\nvacation \"不在です\";\n");
        Path forwards = Files.createDirectories(dir.resolve("forward/ben.old"));
        Files.writeString(forwards.resolve(".forward"), "# mine\n\\ben.old, ben@elsewhere.example\n"
                + "\"|/usr/bin/procmail\"\n", StandardCharsets.UTF_8);
        Path contacts = Files.createDirectories(dir.resolve("contacts"));
        Files.writeString(contacts.resolve("ann.old.vcf"), "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:hanako-1\r\n"
                + "FN:山田 花子\r\nN:山田;花子;;;\r\nEMAIL:hanako@example.jp\r\nEND:VCARD\r\n", StandardCharsets.UTF_8);
        Path csv = dir.resolve("people.csv");
        Files.writeString(csv, "address,login\n" + ann.address() + ",ann.old\n" + ben.address() + ",ben.old\n");

        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"),
                Map.of("ann.old", "ann-pw", "ben.old", "ben-pw"), Map.of("ann.old", annScripts))) {
            CliRun run = CliRun.of(HATO.dataDir(), LegacyDovecot.MASTER_PASSWORD + "\n", "settings", "import",
                    "--csv", csv.toString(), "--managesieve", "127.0.0.1:" + old.port(), "--trust",
                    old.certificate().toString(), "--master-user", LegacyDovecot.MASTER, "--forward-dir",
                    dir.resolve("forward").toString(), "--contacts-dir", contacts.toString());

            assertThat(run.status()).as(run.err()).isEqualTo(1); // something could not be carried over
            assertThat(run.out()).contains(ann.address() + ": 3 imported, 1 not",
                    "imported contacts: ann.old.vcf: 1 added, 0 replaced",
                    "imported sieve: filters (active)", "imported sieve: 不在",
                    "NOT imported sieve: piped does not compile here", "vnd.dovecot.pipe",
                    ben.address() + ": 1 imported, 1 not",
                    "imported forward: ben@elsewhere.example (keeps a copy)",
                    "NOT imported forward: |/usr/bin/procmail cannot be carried over");
        }

        assertThat(HATO.scripts().list(ann.accountId()).map(s -> s.name() + (s.active() ? "*" : ""))
                .collectList().block()).containsExactlyInAnyOrder("filters*", "不在");
        assertThat(HATO.scripts().get(ann.accountId(), "filters").block().content())
                .isEqualTo(annScripts.get("filters"));
        assertThat(HATO.store().addressBooks().search(ann.accountId(), "hanako", 10).collectList().block())
                .hasSize(1);
        Forwarding forwarding = HATO.store().addresses().forwardings("example.test").collectList().block().stream()
                .filter(f -> f.address().equals(ben.address())).findFirst().orElseThrow();
        assertThat(forwarding.targets()).containsExactly("ben@elsewhere.example");
        assertThat(forwarding.keepCopy()).isTrue();
    }

    @Test
    void aNamedLegacySystemShouldServeTheImportWithThePersonsKeptLogin(@TempDir Path dir) throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-managesieved, -imapd or -pop3d is not installed");
        RunningHato.User cho = HATO.newUser("chonamed");
        String name = "old-" + cho.authId().replaceAll("[^a-z0-9]", "");
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("cho.old", "cho-pw"),
                Map.of("cho.old", Map.of("filters", "require \"fileinto\";\nfileinto \"Old\";\n")))) {
            CliRun add = CliRun.of(HATO.dataDir(), LegacyDovecot.MASTER_PASSWORD + "\n", "legacy", "add", name,
                    "--imap", "127.0.0.1:" + old.imapPort(), "--imap-tls", "starttls", "--pop3",
                    "127.0.0.1:" + old.pop3Port(), "--pop3-tls", "starttls", "--managesieve", "127.0.0.1:" + old.port(), "--trust",
                    old.certificate().toString(), "--master-user", LegacyDovecot.MASTER, "--master-password-stdin");
            assertThat(add.status()).as(add.err()).isZero();
            assertThat(CliRun.of(HATO.dataDir(), "", "legacy", "login", cho.authId(), "cho.old").status()).isZero();

            CliRun check = CliRun.of(HATO.dataDir(), "", "legacy", "check", name, "--as", "cho.old");
            assertThat(check.status()).as(check.out() + check.err()).isZero();
            String loggedIn = "certificate trusted for 127.0.0.1; master user " + LegacyDovecot.MASTER
                    + " logged in for cho.old";
            assertThat(check.lines()).hasSize(3);
            assertThat(check.lines().get(0)).startsWith("imap 127.0.0.1:" + old.imapPort() + " (starttls): ok, TLS")
                    .endsWith(loggedIn);
            assertThat(check.lines().get(1)).startsWith("pop3 127.0.0.1:" + old.pop3Port() + " (starttls): ok, TLS")
                    .endsWith(loggedIn);
            assertThat(check.lines().get(2)).isEqualTo("managesieve 127.0.0.1:" + old.port() + " (starttls): ok, "
                    + "master user " + LegacyDovecot.MASTER + " logged in for cho.old");
            assertThat(CliRun.of(HATO.dataDir(), "", "legacy", "add", name + "-untrusted", "--imap",
                    "127.0.0.1:" + old.imapPort(), "--imap-tls", "starttls").status()).isZero();
            CliRun untrusted = CliRun.of(HATO.dataDir(), "", "legacy", "check", name + "-untrusted");
            assertThat(untrusted.status()).isEqualTo(1);
            assertThat(untrusted.out()).startsWith("imap 127.0.0.1:" + old.imapPort() + " (starttls): failed: ")
                    .containsIgnoringCase("certification path");
            CliRun.of(HATO.dataDir(), "", "legacy", "remove", name + "-untrusted");
            CliRun mixed = CliRun.of(HATO.dataDir(), "", "settings", "import", cho.address(), "--legacy", name,
                    "--master-user", "someone");
            assertThat(mixed.status()).isNotZero();
            assertThat(mixed.err()).contains("without --managesieve, --trust and --master-user");

            CliRun run = CliRun.of(HATO.dataDir(), "", "settings", "import", cho.authId(), "--legacy", name);

            assertThat(run.status()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).contains(cho.address() + ": 1 imported", "imported sieve: filters (active)");
        } finally {
            CliRun.of(HATO.dataDir(), "", "legacy", "remove", name);
        }
        assertThat(HATO.scripts().get(cho.accountId(), "filters").block().content()).contains("fileinto \"Old\"");
    }

    @Test
    void aWrongMasterPasswordShouldBeReportedPerPersonAndImportNothing(@TempDir Path dir) throws Exception {
        assumeTrue(LegacyDovecot.installed(), "Debian's dovecot-managesieved, -imapd or -pop3d is not installed");
        RunningHato.User ann = HATO.newUser("annrefused");
        try (LegacyDovecot old = LegacyDovecot.start(dir.resolve("dovecot"), Map.of("ann", "ann-pw"),
                Map.of("ann", Map.of("filters", "keep;\n")))) {
            CliRun run = CliRun.of(HATO.dataDir(), "wrong\n", "settings", "import", ann.address(), "--login", "ann",
                    "--managesieve", "127.0.0.1:" + old.port(), "--trust", old.certificate().toString(),
                    "--master-user", LegacyDovecot.MASTER);

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.out()).contains("NOT imported sieve: 127.0.0.1: NO");
        }
        assertThat(HATO.scripts().list(ann.accountId()).collectList().block()).isEmpty();
    }
}
