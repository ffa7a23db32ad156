package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an external PostgreSQL that goes away: clients get temporary failures (never a 250 for a message that was
 * not committed), and the gateway recovers by itself when the database is back.
 */
class DatabaseOutageTest {

    @TempDir
    Path work;

    private static EmbeddedPostgres database(Path directory, int port) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(directory).setCleanDataDirectory(false).setPort(port)
                .start();
    }

    @Test
    void deliveriesShouldFailTemporarilyWhileTheDatabaseIsDownAndRecoverAfterwards() throws Exception {
        int port = RunningHato.freePort();
        Path pgData = work.resolve("external-pg");
        EmbeddedPostgres postgres = database(pgData, port);
        try (RunningHato hato = RunningHato.start(work.resolve("hato"),
                "--hato.store.url=r2dbc:postgresql://127.0.0.1:" + port + "/postgres",
                "--hato.store.username=postgres", "--hato.store.password=postgres")) {
            hato.provisioning().addDomain(RunningHato.DOMAIN).block();
            RunningHato.User user = hato.newUser("outage");
            assertThat(deliver(hato, user)).startsWith("250 2.0.0");

            postgres.close();
            String during = deliver(hato, user);
            assertThat(during).as("never 250 while the database is down").matches("(421|451) 4\\..*");

            postgres = database(pgData, port);
            String after = "";
            for (int attempt = 0; attempt < 40 && !after.startsWith("250 2.0.0"); attempt++) {
                Thread.sleep(250);
                after = deliver(hato, user);
            }
            assertThat(after).as("recovered without a restart").startsWith("250 2.0.0");
        } finally {
            postgres.close();
        }
    }

    /** One message over a fresh connection; the reply to RCPT or to the end of DATA, whichever is final. */
    private static String deliver(RunningHato hato, RunningHato.User user) throws Exception {
        try (SocketTransport smtp = new SocketTransport(hato.port("smtp"), false)) {
            smtp.readLine();
            smtp.send(("HELO client.test\r\nMAIL FROM:<x@remote.test>\r\nRCPT TO:<" + user.address() + ">\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            smtp.readLine();
            smtp.readLine();
            String rcpt = smtp.readLine();
            if (!rcpt.startsWith("250")) {
                return rcpt;
            }
            smtp.send("DATA\r\nSubject: outage\r\n\r\nbody\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            smtp.readLine();
            return smtp.readLine();
        }
    }
}
