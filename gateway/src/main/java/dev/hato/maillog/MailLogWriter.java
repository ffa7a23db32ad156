package dev.hato.maillog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mail log as Hato writes it. {@link #record} only adds the event to a bounded lock-free queue and wakes the
 * writer thread (it never blocks an event loop; when the queue is full the event is dropped and counted). The writer
 * thread logs each event as one text line ({@code event=received id=… from=<…>}) at INFO on the SLF4J logger
 * {@value #LOGGER}, and, when a file is given, appends it as one JSON object per line to that file, which is rotated
 * by size: {@code mail.log} becomes {@code mail.log.1}, {@code mail.log.1} becomes {@code mail.log.2}, and so on up to
 * {@code maxFiles} old files.
 */
public final class MailLogWriter implements MailLog, AutoCloseable {

    /** The logger of the text lines. */
    public static final String LOGGER = "hato.mail";

    private static final Logger TEXT = LoggerFactory.getLogger(LOGGER);
    private static final Logger LOG = LoggerFactory.getLogger(MailLogWriter.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where the JSON lines go, and how the file is rotated. */
    public record FileSettings(Path file, long maxFileSize, int maxFiles) {
        public FileSettings {
            if (maxFileSize < 1024) {
                throw new IllegalArgumentException("the mail log's maximum file size must be at least 1KB");
            }
            if (maxFiles < 0 || maxFiles > 1000) {
                throw new IllegalArgumentException("the mail log keeps between 0 and 1000 old files");
            }
        }
    }

    private final @Nullable FileSettings file;
    private final int capacity;
    private final Queue<MailEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    private @Nullable OutputStream out;
    private long size;

    /** A writer (already running) to the text logger and, unless {@code file} is null, to the JSON file. */
    public MailLogWriter(@Nullable FileSettings file, int capacity) {
        this.file = file;
        this.capacity = capacity;
        this.writer = new Thread(this::run, "hato-mail-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void record(MailEvent event) {
        if (closed || queued.incrementAndGet() > capacity) {
            queued.decrementAndGet();
            dropped.incrementAndGet();
            return;
        }
        queue.add(event);
        LockSupport.unpark(writer);
    }

    /** How many events were dropped because the writer fell behind (or after closing). */
    public long dropped() {
        return dropped.get();
    }

    private void run() {
        while (true) {
            MailEvent event = queue.poll();
            if (event == null) {
                if (closed) {
                    break;
                }
                flush();
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
                continue;
            }
            queued.decrementAndGet();
            write(event);
        }
        closeFile();
    }

    private void write(MailEvent event) {
        TEXT.info(text(event));
        if (file == null) {
            return;
        }
        try {
            byte[] line = (json(event) + "\n").getBytes(StandardCharsets.UTF_8);
            OutputStream stream = open(line.length);
            stream.write(line);
            size += line.length;
        } catch (IOException e) {
            LOG.warn("cannot write the mail log {}: {}", file.file(), e.toString());
            closeFile();
        }
    }

    /** The open file, rotated first when {@code next} more bytes would take it past its maximum size. */
    private OutputStream open(int next) throws IOException {
        FileSettings settings = java.util.Objects.requireNonNull(file);
        if (out != null && size > 0 && size + next > settings.maxFileSize()) {
            closeFile();
            rotate(settings);
        }
        if (out == null) {
            Path path = settings.file();
            Files.createDirectories(path.toAbsolutePath().getParent());
            size = Files.exists(path) ? Files.size(path) : 0;
            if (size > 0 && size + next > settings.maxFileSize()) {
                rotate(settings);
                size = 0;
            }
            out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND), 65536);
        }
        return out;
    }

    private static void rotate(FileSettings settings) throws IOException {
        Path path = settings.file();
        if (settings.maxFiles() == 0) {
            Files.deleteIfExists(path);
            return;
        }
        Files.deleteIfExists(rotated(path, settings.maxFiles()));
        for (int i = settings.maxFiles() - 1; i >= 1; i--) {
            Path older = rotated(path, i);
            if (Files.exists(older)) {
                Files.move(older, rotated(path, i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, rotated(path, 1), StandardCopyOption.REPLACE_EXISTING);
    }

    /** The {@code n}th old file of {@code path}: {@code mail.log.n}. */
    public static Path rotated(Path path, int n) {
        return path.resolveSibling(path.getFileName() + "." + n);
    }

    private void flush() {
        if (out != null) {
            try {
                out.flush();
            } catch (IOException e) {
                closeFile();
            }
        }
    }

    private void closeFile() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("cannot close the mail log: {}", e.toString());
            }
            out = null;
        }
    }

    /** The event as one JSON object: time, event, id, queue_id, then its facts. */
    public static String json(MailEvent event) {
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("time", event.time().toString());
        object.put("event", event.event());
        if (event.id() != null) {
            object.put("id", event.id());
        }
        if (event.queueId() != null) {
            object.put("queue_id", event.queueId());
        }
        object.putAll(event.fields());
        try {
            return JSON.writeValueAsString(object);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a mail event that is not JSON", e);
        }
    }

    /**
     * The event as one greppable text line: {@code name=value} pairs, values with a space or quote in double
     * quotes, lists joined by commas; control characters (which a client could send) are replaced.
     */
    public static String text(MailEvent event) {
        StringBuilder line = new StringBuilder("event=").append(event.event());
        if (event.id() != null) {
            line.append(" id=").append(event.id());
        }
        if (event.queueId() != null) {
            line.append(" queue_id=").append(event.queueId());
        }
        event.fields().forEach((name, value) -> line.append(' ').append(name).append('=')
                .append(quoted(value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf)
                        .toList()) : String.valueOf(value))));
        return line.toString();
    }

    private static String quoted(String value) {
        StringBuilder safe = new StringBuilder(value.length());
        boolean quote = value.isEmpty();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                safe.append('?');
            } else if (c == '"' || c == '\\') {
                safe.append('\\').append(c);
                quote = true;
            } else {
                quote |= c == ' ';
                safe.append(c);
            }
        }
        return quote ? "\"" + safe + "\"" : safe.toString();
    }

    /** Writes what is queued, then stops the writer (waiting for it at most 5 seconds). */
    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
