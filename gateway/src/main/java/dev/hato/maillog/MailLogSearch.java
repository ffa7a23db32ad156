package dev.hato.maillog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Reads the JSON mail log files ({@code mail.log} and its rotated {@code mail.log.N}, oldest first) and tells the
 * stories of the messages a query picks: every event of a message found by its id (received id or outbound queue id)
 * or by an address (sender, recipient, login, the account of an IMAP APPEND), with the events linked to it (the
 * {@code queued} event links the id a message was received under to its outbound queue id), in the order they were
 * written. Lines that are not JSON objects (a line cut by a crash) are skipped. Two passes over the files: memory does
 * not grow with their size.
 */
public final class MailLogSearch {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() { };

    /** One event as read: its fields in file order, and the line it came from. */
    public record Entry(Map<String, Object> fields, String line) {

        /** The event as the text line the logger {@code hato.mail} writes, after its time. */
        public String text() {
            Map<String, Object> rest = new LinkedHashMap<>(fields);
            Object time = rest.remove("time");
            Object event = rest.remove("event");
            Object id = rest.remove("id");
            Object queueId = rest.remove("queue_id");
            MailEvent mail = new MailEvent(Instant.EPOCH, String.valueOf(event), id == null ? null : id.toString(),
                    queueId instanceof Number number ? number.longValue() : null, rest);
            return time + "  " + MailLogWriter.text(mail);
        }
    }

    /** What to look for; null parts match everything, but at least one must be given. */
    public record Query(@Nullable String queueId, @Nullable String address, @Nullable Instant since) {
        public Query {
            if (queueId == null && address == null && since == null) {
                throw new IllegalArgumentException("give --queue-id, --address or --since");
            }
        }
    }

    private final Path file;

    /** A search over {@code file} and its rotated files. */
    public MailLogSearch(Path file) {
        this.file = file;
    }

    /** The files to read, oldest first: {@code mail.log.N} … {@code mail.log.1}, {@code mail.log}. */
    public List<Path> files() {
        List<Path> files = new ArrayList<>();
        for (int n = 1; n <= 1000 && Files.exists(MailLogWriter.rotated(file, n)); n++) {
            files.add(0, MailLogWriter.rotated(file, n));
        }
        if (Files.exists(file)) {
            files.add(file);
        }
        return files;
    }

    /** Passes the events {@code query} picks to {@code out}, in the order they were written. */
    public void search(Query query, Consumer<Entry> out) {
        Predicate<Entry> inTime = entry -> query.since() == null || !time(entry).isBefore(query.since());
        if (query.queueId() == null && query.address() == null) {
            read(entry -> {
                if (inTime.test(entry)) {
                    out.accept(entry);
                }
            });
            return;
        }
        // First pass: the events that match, and the ids of the messages they belong to.
        Set<String> ids = new HashSet<>();
        Set<String> queueIds = new HashSet<>();
        read(entry -> {
            if (inTime.test(entry) && matches(entry, query)) {
                add(ids, entry.fields().get("id"));
                add(queueIds, entry.fields().get("queue_id"));
            }
        });
        // Second pass: those events and every event of the same messages.
        read(entry -> {
            if (inTime.test(entry) && (matches(entry, query) || ids.contains(string(entry.fields().get("id")))
                    || queueIds.contains(string(entry.fields().get("queue_id"))))) {
                out.accept(entry);
            }
        });
    }

    private static boolean matches(Entry entry, Query query) {
        Map<String, Object> fields = entry.fields();
        if (query.queueId() != null && !query.queueId().equals(string(fields.get("id")))
                && !query.queueId().equals(string(fields.get("queue_id")))) {
            return false;
        }
        if (query.address() != null) {
            String address = query.address().toLowerCase(Locale.ROOT);
            return List.of("from", "to", "orig_to", "auth", "address").stream().anyMatch(name -> {
                Object value = fields.get(name);
                List<?> values = value instanceof List<?> list ? list : value == null ? List.of() : List.of(value);
                return values.stream().anyMatch(v -> address.equals(String.valueOf(v).toLowerCase(Locale.ROOT)));
            });
        }
        return true;
    }

    private void read(Consumer<Entry> each) {
        for (Path path : files()) {
            try (BufferedReader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    Entry entry = parse(line);
                    if (entry != null) {
                        each.accept(entry);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the mail log " + path, e);
            }
        }
    }

    private static @Nullable Entry parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            Map<String, Object> fields = JSON.readValue(line, OBJECT);
            return fields.get("event") == null ? null : new Entry(fields, line);
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Instant time(Entry entry) {
        try {
            return Instant.parse(String.valueOf(entry.fields().get("time")));
        } catch (DateTimeException e) {
            return Instant.EPOCH;
        }
    }

    private static void add(Set<String> set, @Nullable Object value) {
        if (value != null) {
            set.add(value.toString());
        }
    }

    private static @Nullable String string(@Nullable Object value) {
        return value == null ? null : value.toString();
    }
}
