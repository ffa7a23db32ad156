package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.Mailboxes;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code hato user quota}: usage and limits of one account, set while the server runs. */
class QuotaCommandTest {

    private static final RunningHato HATO = RunningHato.shared();

    private static CliRun hato(String... args) {
        return CliRun.of(HATO.dataDir(), "", args);
    }

    @Test
    void quotaShouldShowUsageAndSetAndRemoveLimitsByAuthIdOrAddress() {
        RunningHato.User user = HATO.newUser("quota");
        Mailboxes mailboxes = HATO.store().mailboxes();
        HeldMessage message = HeldMessage.unique("quota");
        long inbox = mailboxes.find(user.accountId(), "INBOX").block().id();
        mailboxes.append(user.accountId(), inbox, message, HeldMessage.noFacts(), Set.of(), Instant.now()).block();

        CliRun shown = hato("user", "quota", user.authId());
        assertThat(shown.status()).as(shown.err()).isZero();
        assertThat(shown.lines()).containsExactly(user.authId() + "\t" + user.address(),
                "storage: " + message.size() + " octets of unlimited", "messages: 1 of unlimited");

        CliRun set = hato("user", "quota", user.address().toUpperCase(), "--storage", "500MB", "--messages", "100000");
        assertThat(set.status()).as(set.err()).isZero();
        assertThat(set.lines()).contains("storage: " + message.size() + " octets of 524288000 octets (500.0 MiB)",
                "messages: 1 of 100000");
        assertThat(mailboxes.quota(user.accountId()).block())
                .isEqualTo(new Mailboxes.Quota(message.size(), 524_288_000L, 1, 100_000L));

        assertThat(hato("user", "quota", user.authId(), "--messages", "unlimited").lines())
                .contains("messages: 1 of unlimited", "storage: " + message.size() + " octets of 524288000 octets (500.0 MiB)");
        assertThat(hato("user", "quota", user.authId(), "--unlimited").lines())
                .contains("storage: " + message.size() + " octets of unlimited", "messages: 1 of unlimited");
    }

    @Test
    void badQuotaInputShouldBeRefusedWithOneLine() {
        RunningHato.User user = HATO.newUser("quotabad");

        assertThat(hato("user", "quota", user.authId(), "--storage", "lots").err())
                .startsWith("hato: not a size (e.g. 500MB, 2GB): lots");
        assertThat(hato("user", "quota", user.authId(), "--messages", "-1").err())
                .startsWith("hato: a limit cannot be negative: -1");
        assertThat(hato("user", "quota", user.authId(), "--unlimited", "--messages", "5").err())
                .startsWith("hato: --unlimited cannot be combined");
        CliRun missing = hato("user", "quota", "nobody@example.test");
        assertThat(missing.status()).isNotZero();
        assertThat(missing.err()).startsWith("hato: no account with auth ID or address nobody@example.test");
        assertThat(HATO.store().mailboxes().quota(user.accountId()).block().limitMessages()).isNull();
    }
}
