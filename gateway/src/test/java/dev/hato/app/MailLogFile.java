package dev.hato.app;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** The JSON mail log of a running Hato ({@code <data-dir>/log/mail.log}) as tests read it: events, once written. */
final class MailLogFile {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path file;

    MailLogFile(Path dataDir) {
        this.file = dataDir.resolve("log").resolve("mail.log");
    }

    /** The first event that {@code wanted} picks, once the writer wrote it. */
    Map<String, Object> await(Predicate<Map<String, Object>> wanted) {
        List<Map<String, Object>> found = new ArrayList<>();
        Eventually.until(() -> {
            events().stream().filter(wanted).findFirst().ifPresent(found::add);
            return !found.isEmpty();
        }, "a mail log event", WAIT);
        return found.get(0);
    }

    List<Map<String, Object>> events() {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : lines()) {
            try {
                events.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() { }));
            } catch (IOException e) {
                // the writer may be in the middle of a line
            }
        }
        return events;
    }

    List<String> lines() {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
