package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.legacy.MasterPasswords;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackend.Server;
import dev.hato.store.legacy.LegacyBackend.Tls;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hato legacy add|list|remove|login}: the old systems of a migration and people's logins on them. */
class LegacyCommandTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();

    private static CliRun hato(String stdin, String... args) {
        return CliRun.of(HATO.dataDir(), stdin, args);
    }

    @Test
    void aSystemShouldBeKeptWithItsServersTrustAndASealedMasterPassword() throws Exception {
        String name = "campus-" + NEXT.incrementAndGet();
        Path certificate = HATO.dataDir().resolve("tls").resolve("selfsigned-cert.pem");
        String password = "master secret " + System.nanoTime();

        CliRun add = hato(password + "\n", "legacy", "add", name, "--imap", "imap.old.example:993",
                "--pop3", "pop.old.example:995", "--smtp", "mx.old.example:25", "--managesieve",
                "[2001:db8::1]:4190", "--trust", certificate.toString(), "--master-user", "migration-admin",
                "--master-password-stdin");

        assertThat(add.status()).as(add.err()).isZero();
        assertThat(add.lines()).containsExactly("added legacy system " + name + ": imap imap.old.example:993 "
                + "(implicit), pop3 pop.old.example:995 (implicit), smtp mx.old.example:25, managesieve "
                + "[2001:db8::1]:4190 (starttls), its own trusted certificates, master user migration-admin");
        LegacyBackend stored = HATO.store().legacyBackends().find(name).block(WAIT);
        assertThat(stored.imap()).isEqualTo(new Server("imap.old.example", 993, Tls.IMPLICIT));
        assertThat(stored.manageSieve()).isEqualTo(new Server("2001:db8::1", 4190, Tls.STARTTLS));
        assertThat(stored.trustPem()).isEqualTo(Files.readString(certificate));
        assertThat(new String(stored.sealedMasterPassword(), StandardCharsets.ISO_8859_1)).doesNotContain(password);
        assertThat(MasterPasswords.of(HATO.dataDir()).open(name, stored.sealedMasterPassword())).isEqualTo(password);

        assertThat(hato("", "legacy", "list").lines()).anyMatch(line -> line.startsWith(name + ": imap "));
        CliRun json = hato("", "legacy", "list", "--json");
        assertThat(json.out()).contains("\"name\":\"" + name + "\"").contains("\"master_user\":\"migration-admin\"")
                .doesNotContain(password);

        CliRun again = hato("", "legacy", "add", name, "--imap", "other.example:993");
        assertThat(again.status()).isNotZero();
        assertThat(again.err()).contains("exists").contains("--replace");
        assertThat(hato("", "legacy", "add", name, "--imap", "127.0.0.1:143", "--imap-tls", "none", "--replace")
                .status()).isZero();
        assertThat(HATO.store().legacyBackends().find(name).block(WAIT).masterUser()).isNull();

        assertThat(hato("", "legacy", "remove", name).lines()).containsExactly("removed legacy system " + name);
        CliRun gone = hato("", "legacy", "remove", name);
        assertThat(gone.status()).isNotZero();
        assertThat(gone.err()).contains("no legacy system is named " + name);
    }

    @Test
    void unsafeOrIncompleteSystemsShouldBeRefusedWithTheReason(@TempDir Path dir) throws Exception {
        String name = "refused-" + NEXT.incrementAndGet();
        Path notPem = dir.resolve("ca.pem");
        Files.writeString(notPem, "not a certificate\n");

        CliRun plain = hato("", "legacy", "add", name, "--imap", "imap.old.example:143", "--imap-tls", "none");
        CliRun noPassword = hato("", "legacy", "add", name, "--imap", "imap.old.example:993", "--master-user", "a");
        CliRun badTrust = hato("", "legacy", "add", name, "--imap", "imap.old.example:993", "--trust",
                notPem.toString());
        CliRun badName = hato("", "legacy", "add", "Old System", "--imap", "imap.old.example:993");
        CliRun badServer = hato("", "legacy", "add", name, "--imap", "imap.old.example");

        assertThat(plain.err()).contains("TLS none is for servers on this machine only");
        assertThat(noPassword.err()).contains("--master-password-stdin");
        assertThat(badTrust.err()).contains(notPem.toString());
        assertThat(badName.err()).contains("Old System");
        assertThat(badServer.err()).contains("not HOST:PORT");
        for (CliRun run : new CliRun[] {plain, noPassword, badTrust, badName, badServer}) {
            assertThat(run.status()).isNotZero();
        }
        assertThat(HATO.store().legacyBackends().find(name).block(WAIT)).isNull();
    }

    @Test
    void aPersonsLoginShouldBeShownSetAndCleared() {
        RunningHato.User taro = HATO.newUser("legacylogin");

        assertThat(hato("", "legacy", "login", taro.authId()).lines())
                .containsExactly("login of " + taro.address() + " on the old systems: " + taro.address()
                        + " (their address)");
        assertThat(hato("", "legacy", "login", taro.address(), "t-yamada").lines())
                .containsExactly("login of " + taro.address() + " on the old systems: t-yamada");
        assertThat(HATO.store().legacyBackends().login(taro.accountId()).block(WAIT)).isEqualTo("t-yamada");
        assertThat(hato("", "legacy", "login", taro.authId(), "--clear").lines()).containsExactly(
                "login of " + taro.address() + " on the old systems: " + taro.address() + " (their address)");
        CliRun unknown = hato("", "legacy", "login", "nobody@" + RunningHato.DOMAIN);
        assertThat(unknown.status()).isNotZero();
    }
}
