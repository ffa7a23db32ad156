package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the server says goodbye to every session with a temporary code, and a POP3 DELE is not applied. */
class GracefulShutdownTest {

    @TempDir
    Path dataDir;

    @Test
    void shutdownShouldSendTemporaryCodesAndDeleteNothing() throws Exception {
        RunningHato.User user;
        try (RunningHato hato = RunningHato.start(dataDir)) {
            hato.provisioning().addDomain(RunningHato.DOMAIN).block();
            user = hato.newUser("grace");
            try (SocketTransport smtp = new SocketTransport(hato.port("smtp"), false);
                 SocketTransport pop = new SocketTransport(hato.port("pop3s"), true)) {
                smtp.readLine();
                smtp.send(("HELO client.test\r\nMAIL FROM:<x@remote.test>\r\nRCPT TO:<" + user.address()
                        + ">\r\nDATA\r\nSubject: keep\r\n\r\nbody\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 4; i++) {
                    smtp.readLine();
                }
                assertThat(smtp.readLine()).startsWith("250 2.0.0");
                pop.readLine();
                pop.send(("AUTH PLAIN " + user.plain() + "\r\nDELE 1\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(pop.readLine()).startsWith("+OK Logged in; maildrop has 1 messages");
                assertThat(pop.readLine()).startsWith("+OK");

                CompletableFuture<Void> stopping = CompletableFuture.runAsync(hato::close);
                assertThat(smtp.readLine()).isEqualTo("421 4.3.2 " + RunningHato.HOST + " Service shutting down");
                assertThat(smtp.closedByServer()).isTrue();
                assertThat(pop.readLine()).startsWith("-ERR [SYS/TEMP] Server shutting down");
                assertThat(pop.closedByServer()).isTrue();
                stopping.get();
            }
        }
        try (RunningHato again = RunningHato.start(dataDir);
             SocketTransport pop = new SocketTransport(again.port("pop3s"), true)) {
            pop.readLine();
            pop.send(("AUTH PLAIN " + user.plain() + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(pop.readLine()).as("DELE without QUIT deletes nothing").startsWith(
                    "+OK Logged in; maildrop has 1 messages");
        }
    }
}
