package dev.hato.app;

import static dev.hato.app.ImapLines.command;
import static dev.hato.app.ImapLines.deliver;
import static dev.hato.app.ImapLines.login;
import static dev.hato.app.ImapLines.untilTagged;
import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two gateway processes' worth of Hato (two application contexts, each with its own listeners and its own LISTEN
 * connection) on one PostgreSQL: an IMAP session on one node sees what happens through the other (issue 4 §6).
 */
class ImapTwoGatewaysTest {

    @TempDir
    Path work;

    @Test
    void sessionsOnOneNodeShouldSeeDeliveriesAndFlagChangesMadeThroughTheOther() throws Exception {
        int port = RunningHato.freePort();
        String[] store = {"--hato.store.url=r2dbc:postgresql://127.0.0.1:" + port + "/postgres",
                "--hato.store.username=postgres", "--hato.store.password=postgres",
                "--hato.outbound.enabled=false"};
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setDataDirectory(work.resolve("pg"))
                        .setCleanDataDirectory(false).setPort(port).start();
                RunningHato first = RunningHato.start(work.resolve("node-1"), store);
                RunningHato second = RunningHato.start(work.resolve("node-2"), store)) {
            first.provisioning().addDomain(RunningHato.DOMAIN).block();
            RunningHato.User ida = first.newUser("ida");

            try (SocketTransport watcher = login(second, ida); SocketTransport writer = login(first, ida)) {
                command(watcher, "w1 SELECT INBOX");
                watcher.send("w2 IDLE\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(watcher.readLine()).startsWith("+ ");

                deliver(first, ida, "through node one");
                assertThat(watcher.readLine()).as("IDLE on node two woken by a delivery on node one")
                        .isEqualTo("* 1 EXISTS");
                watcher.send("DONE\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(untilTagged(watcher, "w2")).last().asString().startsWith("w2 OK");

                command(writer, "a1 SELECT INBOX");
                command(writer, "a2 STORE 1 +FLAGS (\\Flagged)");
                List<String> noop = command(watcher, "w3 NOOP");
                assertThat(noop).as("the flag change made on node one, reported by NOOP on node two")
                        .anyMatch(line -> line.startsWith("* 1 FETCH (") && line.contains("\\Flagged"));

                command(writer, "a3 STORE 1 +FLAGS (\\Deleted)");
                command(writer, "a4 EXPUNGE");
                assertThat(command(watcher, "w4 NOOP")).contains("* 1 EXPUNGE");
            }
        }
    }
}
