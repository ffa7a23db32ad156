package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What was acknowledged survives a restart: same data directory, same embedded PostgreSQL, same certificate. */
class RestartTest {

    @TempDir
    Path dataDir;

    @Test
    void mailAccountsAndCertificateShouldSurviveARestart() throws Exception {
        RunningHato.User user;
        String uidlBefore;
        byte[] certificateBefore;
        try (RunningHato first = RunningHato.start(dataDir)) {
            first.provisioning().addDomain(RunningHato.DOMAIN).block();
            user = first.newUser("erin");
            try (SocketTransport smtp = new SocketTransport(first.port("smtp"), false)) {
                smtp.readLine();
                smtp.send(("HELO client.test\r\nMAIL FROM:<x@remote.test>\r\nRCPT TO:<" + user.address()
                        + ">\r\nDATA\r\n").getBytes(StandardCharsets.UTF_8));
                assertThat(smtp.readLine()).startsWith("250");
                assertThat(smtp.readLine()).startsWith("250");
                assertThat(smtp.readLine()).startsWith("250");
                assertThat(smtp.readLine()).startsWith("354");
                smtp.send("Subject: persistent\r\n\r\nstill here\r\n.\r\n".getBytes(StandardCharsets.UTF_8));
                assertThat(smtp.readLine()).startsWith("250 2.0.0");
            }
            uidlBefore = uidl(first, user);
            certificateBefore = java.nio.file.Files.readAllBytes(dataDir.resolve("tls/selfsigned-cert.pem"));
        }
        try (RunningHato second = RunningHato.start(dataDir)) {
            assertThat(uidl(second, user)).isEqualTo(uidlBefore);
            assertThat(java.nio.file.Files.readAllBytes(dataDir.resolve("tls/selfsigned-cert.pem")))
                    .isEqualTo(certificateBefore);
        }
    }

    private static String uidl(RunningHato hato, RunningHato.User user) throws Exception {
        try (SocketTransport pop = new SocketTransport(hato.port("pop3s"), true)) {
            assertThat(pop.readLine()).startsWith("+OK");
            pop.send(("AUTH PLAIN " + user.plain() + "\r\nUIDL 1\r\nRETR 1\r\n").getBytes(StandardCharsets.UTF_8));
            assertThat(pop.readLine()).startsWith("+OK Logged in; maildrop has 1 messages");
            String uidl = pop.readLine();
            assertThat(uidl).matches("\\+OK 1 \\d+\\.\\d+");
            assertThat(pop.readLine()).startsWith("+OK");
            StringBuilder message = new StringBuilder();
            for (String line = pop.readLine(); !line.equals("."); line = pop.readLine()) {
                message.append(line).append('\n');
            }
            assertThat(message.toString()).contains("Subject: persistent\n\nstill here\n");
            return uidl;
        }
    }
}
