package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Directory harvesting (RCPT to many made-up users, to learn which exist) is bounded, as Postfix bounds it with
 * smtpd_hard_error_limit and smtpd_error_sleep_time: after a few unknown recipients the answers come slower, and past
 * the limit of a connection, or of a client address across connections, the client gets 421 4.7.0 and is
 * disconnected (RFC 5321 §3.8 allows 421 at any time). Known recipients keep working up to then. Small limits and
 * short delays here; the assertions are on replies, never on durations.
 */
class RecipientHarvestingTest {

    private static RunningHato hato;

    @BeforeAll
    static void start() throws Exception {
        hato = RunningHato.start(Files.createTempDirectory("hato-harvest-test-"),
                "--hato.outbound.enabled=false",
                "--hato.smtp.unknown-recipients.per-connection=4",
                "--hato.smtp.unknown-recipients.per-client=8",
                "--hato.smtp.unknown-recipients.window=1h",
                "--hato.smtp.unknown-recipients.free=2",
                "--hato.smtp.unknown-recipients.delay=20ms",
                "--hato.smtp.unknown-recipients.max-delay=50ms");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        if (hato != null) {
            hato.close();
        }
    }

    @Test
    void tooManyUnknownRecipientsInOneConnectionAndThenFromOneAddressShouldEndWith421() throws Exception {
        RunningHato.User ann = hato.newUser("ann");
        List<String> rcpts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            rcpts.add("RCPT TO:<nobody" + i + "@" + RunningHato.DOMAIN + ">");
        }

        // One connection: a known recipient, 4 unknown ones answered 550 (the last two after a delay), then 421.
        List<String> first = SmtpLines.sendUntilClosed(hato.port("smtp"), "MAIL FROM:<harvester@remote.example>",
                "RCPT TO:<" + ann.address() + ">", rcpts.get(0), rcpts.get(1), rcpts.get(2), rcpts.get(3),
                rcpts.get(4), rcpts.get(5));
        assertThat(first).hasSize(8);
        assertThat(first.subList(0, 2)).allMatch(reply -> reply.startsWith("250 "));
        assertThat(first.subList(2, 6)).allMatch(reply -> reply.startsWith("550 5.1.1 "));
        assertThat(first.get(6)).startsWith("421 4.7.0 ").contains("unknown recipients");
        assertThat(first.get(7)).as("the server closed the connection").isEqualTo("(closed)");

        // A new connection from the same address: 3 more unknown recipients reach the address's limit of 8 (the one
        // refused with 421 counted too), and the next one ends this connection too.
        List<String> second = SmtpLines.sendUntilClosed(hato.port("smtp"), "MAIL FROM:<harvester@remote.example>",
                rcpts.get(0), rcpts.get(1), rcpts.get(2), "RCPT TO:<" + ann.address() + ">", rcpts.get(3));
        assertThat(second.get(0)).startsWith("250 ");
        assertThat(second.subList(1, 4)).allMatch(reply -> reply.startsWith("550 5.1.1 "));
        assertThat(second.get(4)).as("a known recipient still works").startsWith("250 ");
        assertThat(second.get(5)).startsWith("421 4.7.0 ");
    }

    @Test
    void anAuthenticatedSubmissionShouldNotBeCountedAsHarvesting() throws Exception {
        // Someone sending from an office NAT to many stale addresses of the domain: the answers are the user's own
        // business, and the 421 for the client address would stop everyone behind the same NAT.
        RunningHato.User sender = hato.newUser("stale-list");
        RunningHato.User known = hato.newUser("still-here");
        try (SocketTransport smtp = new SocketTransport(hato.port("submissions"), true)) {
            assertThat(smtp.readLine()).startsWith("220 ");
            assertThat(SmtpLines.command(smtp, "EHLO office.example")).startsWith("250 ");
            assertThat(SmtpLines.command(smtp, "AUTH PLAIN " + sender.plain())).startsWith("235 ");
            assertThat(SmtpLines.command(smtp, "MAIL FROM:<" + sender.address() + ">")).startsWith("250 ");
            // Over the per-connection (4) and the per-client (8) limits together, none of them answered with 421.
            for (int i = 0; i < 10; i++) {
                assertThat(SmtpLines.command(smtp, "RCPT TO:<gone" + i + "@" + RunningHato.DOMAIN + ">")).as("unknown #%d", i)
                        .startsWith("550 5.1.1 ");
            }
            assertThat(SmtpLines.command(smtp, "RCPT TO:<" + known.address() + ">")).startsWith("250 ");
            assertThat(SmtpLines.command(smtp, "RSET")).startsWith("250 ");
        }
    }
}
