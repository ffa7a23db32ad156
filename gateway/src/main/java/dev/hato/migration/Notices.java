package dev.hato.migration;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * The mail people get about their move (issue 17): when the copying of their mailbox starts and when it is done.
 * Each is a template, Japanese and English by default ({@code notice-start.txt}, {@code notice-done.txt} beside
 * this class, or the files of those names in an operator's directory): a {@code Subject:} line, an empty line, the
 * text. {@code {name}}, {@code {address}}, {@code {host}}, {@code {date}} and {@code {messages}} are filled in. The
 * message is UTF-8: the subject as an RFC 2047 encoded word, the text in base64.
 */
public final class Notices {

    /** Which notice. */
    public enum Kind {
        START("notice-start.txt"), DONE("notice-done.txt");

        private final String file;

        Kind(String file) {
            this.file = file;
        }
    }

    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ENGLISH);

    private Notices() { }

    /**
     * The notice as a whole message from {@code from} to {@code to}; {@code templates}: the operator's directory
     * (null, or a directory without the file: the default).
     */
    public static byte[] message(Kind kind, @Nullable Path templates, Map<String, String> values, String from,
                                 String to, String host, Instant now, ZoneId zone) {
        String template = template(kind, templates);
        for (Map.Entry<String, String> value : values.entrySet()) {
            template = template.replace("{" + value.getKey() + "}", value.getValue());
        }
        int blank = template.indexOf("\n\n");
        if (!template.startsWith("Subject:") || blank < 0) {
            throw new IllegalArgumentException("a notice template starts with a Subject: line and an empty line");
        }
        String subject = template.substring("Subject:".length(), blank).trim();
        String text = template.substring(blank + 2).replace("\r\n", "\n").replace("\n", "\r\n");
        String body = Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(text.getBytes(StandardCharsets.UTF_8));
        String message = "From: " + from + "\r\n"
                + "To: " + to + "\r\n"
                + "Subject: =?UTF-8?B?" + Base64.getEncoder().encodeToString(subject.getBytes(StandardCharsets.UTF_8))
                + "?=\r\n"
                + "Date: " + RFC_5322.format(now.atZone(zone)) + "\r\n"
                + "Message-ID: <migration-" + kind.name().toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID() + "@"
                + host + ">\r\n"
                + "Auto-Submitted: auto-generated\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=UTF-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n" + body + "\r\n";
        return message.getBytes(StandardCharsets.UTF_8);
    }

    private static String template(Kind kind, @Nullable Path templates) {
        try {
            if (templates != null && Files.isRegularFile(templates.resolve(kind.file))) {
                return Files.readString(templates.resolve(kind.file), StandardCharsets.UTF_8).replace("\r\n", "\n");
            }
            try (InputStream in = Objects.requireNonNull(Notices.class.getResourceAsStream(kind.file), kind.file)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the notice template " + kind.file + ": " + e.getMessage(), e);
        }
    }
}
