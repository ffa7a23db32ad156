package dev.hato.maillog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mail log's two forms, and its rotation by size. */
class MailLogWriterTest {

    private static final Instant T = Instant.parse("2026-12-06T01:00:00Z");

    @Test
    void theTextLineShouldQuoteSpacesAndHideControlCharacters() {
        MailEvent event = MailEvent.of(T, MailEvent.REJECTED, null, null, "stage", "RCPT",
                "reply", "550 5.1.1 \"no\" user", "helo", "evil\r\nevent=delivered", "to", null);
        assertThat(MailLogWriter.text(event))
                .isEqualTo("event=rejected stage=RCPT reply=\"550 5.1.1 \\\"no\\\" user\" helo=evil??event=delivered");
    }

    @Test
    void theJsonLineShouldCarryTimeEventIdsAndFieldsInOrder() throws Exception {
        MailEvent event = MailEvent.of(T, MailEvent.QUEUED, "abc", 42L, "to", List.of("a@b", "c@d"), "size", 7L);
        String json = MailLogWriter.json(event);
        assertThat(json).isEqualTo("{\"time\":\"2026-12-06T01:00:00Z\",\"event\":\"queued\",\"id\":\"abc\","
                + "\"queue_id\":42,\"to\":[\"a@b\",\"c@d\"],\"size\":7}");
        assertThat(MailLogWriter.text(event)).isEqualTo("event=queued id=abc queue_id=42 to=a@b,c@d size=7");
    }

    @Test
    void theFileShouldBeRotatedBySizeKeepingMaxFilesAndSearchShouldReadThemOldestFirst(@TempDir Path dir)
            throws Exception {
        Path file = dir.resolve("log").resolve("mail.log");
        try (MailLogWriter writer = new MailLogWriter(new MailLogWriter.FileSettings(file, 1024, 2), 1000)) {
            for (int i = 0; i < 40; i++) {
                writer.record(MailEvent.of(T.plusSeconds(i), MailEvent.RECEIVED, "m" + i, null,
                        "from", "sender@example.org", "to", List.of("rcpt@example.org")));
            }
        }
        assertThat(file).exists();
        assertThat(MailLogWriter.rotated(file, 1)).exists();
        assertThat(MailLogWriter.rotated(file, 2)).exists();
        assertThat(MailLogWriter.rotated(file, 3)).doesNotExist();
        for (Path path : List.of(file, MailLogWriter.rotated(file, 1), MailLogWriter.rotated(file, 2))) {
            assertThat(Files.size(path)).isLessThanOrEqualTo(1024);
        }
        List<String> ids = new ArrayList<>();
        new MailLogSearch(file).search(new MailLogSearch.Query(null, null, Instant.EPOCH),
                entry -> ids.add((String) entry.fields().get("id")));
        // The oldest files were dropped; what is left is in the order it was written, ending with the last event.
        assertThat(ids).isNotEmpty().endsWith("m39");
        for (int i = 1; i < ids.size(); i++) {
            assertThat(Integer.parseInt(ids.get(i).substring(1))).isEqualTo(Integer.parseInt(ids.get(i - 1)
                    .substring(1)) + 1);
        }
        String last = Files.readAllLines(file, StandardCharsets.UTF_8).get(0);
        assertThat(new ObjectMapper().readValue(last, Map.class)).containsKeys("time", "event", "id");
    }

    @Test
    void aFullQueueShouldDropEventsInsteadOfWaiting(@TempDir Path dir) {
        try (MailLogWriter writer = new MailLogWriter(null, 0)) {
            writer.record(MailEvent.of(T, MailEvent.RECEIVED, "x", null));
            assertThat(writer.dropped()).isEqualTo(1);
        }
    }
}
