package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hato log search} over mail log files written by hand (MailLogTest runs it on a live server's log): the
 * stories it links, the rotated files it reads oldest first, and what it refuses. Needs no database.
 */
class LogCommandTest {

    private static final List<String> OLD = List.of(
            "{\"time\":\"2026-12-01T10:00:00Z\",\"event\":\"received\",\"id\":\"aa1\",\"from\":\"x@remote.test\","
                    + "\"to\":[\"bob@example.test\",\"carol@far.test\"]}",
            "{\"time\":\"2026-12-01T10:00:01Z\",\"event\":\"delivered\",\"id\":\"aa1\",\"to\":\"bob@example.test\","
                    + "\"mailbox\":\"INBOX\",\"uid\":3}",
            "{\"time\":\"2026-12-01T10:00:01Z\",\"event\":\"queued\",\"id\":\"aa1\",\"queue_id\":17,"
                    + "\"to\":\"carol@far.test\"}");
    private static final List<String> NEW = List.of(
            "{\"time\":\"2026-12-02T09:00:00Z\",\"event\":\"rejected\",\"stage\":\"RCPT\",\"code\":\"550\","
                    + "\"reply\":\"550 5.1.1 no such user\",\"to\":\"nobody@example.test\"}",
            "not json: a line cut short by a crash",
            "{\"time\":\"2026-12-02T09:30:00Z\",\"event\":\"relayed\",\"queue_id\":17,\"to\":\"carol@far.test\","
                    + "\"relay\":\"mx.far.test\",\"reply\":\"smtp; 250 ok\"}");

    private static Path write(Path dataDir) throws Exception {
        Path log = Files.createDirectories(dataDir.resolve("log"));
        Files.write(log.resolve("mail.log.1"), OLD, StandardCharsets.UTF_8);
        Files.write(log.resolve("mail.log"), NEW, StandardCharsets.UTF_8);
        return log;
    }

    @Test
    void aQueueIdShouldFindTheWholeStoryAcrossRotatedFilesInOrder(@TempDir Path dataDir) throws Exception {
        write(dataDir);
        CliRun run = CliRun.of(dataDir, "", "log", "search", "--queue-id", "17");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "2026-12-01T10:00:00Z  event=received id=aa1 from=x@remote.test to=bob@example.test,carol@far.test",
                "2026-12-01T10:00:01Z  event=delivered id=aa1 to=bob@example.test mailbox=INBOX uid=3",
                "2026-12-01T10:00:01Z  event=queued id=aa1 queue_id=17 to=carol@far.test",
                "2026-12-02T09:30:00Z  event=relayed queue_id=17 to=carol@far.test relay=mx.far.test "
                        + "reply=\"smtp; 250 ok\"");
        assertThat(CliRun.of(dataDir, "", "log", "search", "--queue-id", "aa1").lines())
                .isEqualTo(run.lines());
    }

    @Test
    void anAddressAndATimeShouldSelectAndJsonShouldPrintTheStoredLines(@TempDir Path dataDir) throws Exception {
        write(dataDir);
        CliRun rejected = CliRun.of(dataDir, "", "log", "search", "--address", "NOBODY@example.test", "--json");
        assertThat(rejected.lines()).containsExactly(NEW.get(0));
        CliRun since = CliRun.of(dataDir, "", "log", "search", "--since", "2026-12-02", "--json");
        assertThat(since.lines()).containsExactly(NEW.get(0), NEW.get(2));
        CliRun none = CliRun.of(dataDir, "", "log", "search", "--address", "someone@else.test");
        assertThat(none.status()).isZero();
        assertThat(none.lines()).isEmpty();
    }

    @Test
    void anAppendedMessageShouldBeFoundByTheAccountsAddressAndAuthId(@TempDir Path dataDir) throws Exception {
        Path log = write(dataDir);
        String appended = "{\"time\":\"2026-12-02T10:00:00Z\",\"event\":\"appended\",\"account\":12,"
                + "\"address\":\"erin@example.test\",\"auth\":\"erin.x7q2\",\"mailbox\":\"Sent\",\"uid\":4}";
        Files.write(log.resolve("mail.log"), List.of(appended), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        for (String address : List.of("Erin@Example.test", "erin.x7q2")) {
            CliRun run = CliRun.of(dataDir, "", "log", "search", "--address", address);
            assertThat(run.status()).as(run.err()).isZero();
            assertThat(run.lines()).containsExactly("2026-12-02T10:00:00Z  event=appended account=12 "
                    + "address=erin@example.test auth=erin.x7q2 mailbox=Sent uid=4");
        }
    }

    @Test
    void aSearchWithoutCriteriaOrWithABadTimeShouldBeRefused(@TempDir Path dataDir) throws Exception {
        write(dataDir);
        CliRun nothing = CliRun.of(dataDir, "", "log", "search");
        assertThat(nothing.status()).isNotZero();
        assertThat(nothing.err()).contains("--queue-id, --address or --since");
        CliRun badTime = CliRun.of(dataDir, "", "log", "search", "--since", "yesterday");
        assertThat(badTime.status()).isNotZero();
        assertThat(badTime.err()).contains("--since");
    }

    @Test
    void noLogYetShouldPrintNothing(@TempDir Path dataDir) {
        CliRun run = CliRun.of(dataDir, "", "log", "search", "--since", "1h");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.lines()).isEmpty();
    }
}
