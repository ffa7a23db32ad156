package dev.hato.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One mbox file as one folder, read as mboxrd (the variant that quotes every line matching {@code ^>*From }
 * by adding a {@code >}, so unquoting is exact: one {@code >} is taken from lines matching {@code ^>+From }; an
 * mboxo file, which quoted only {@code From } itself, reads the same except for the rare body line that began with
 * {@code >From } before it was quoted).
 *
 * <p>A message starts at a {@code From } line at the start of the file or after an empty line; that empty line
 * separates messages and is not part of either. The old server's private header fields are read for flags and then
 * left out, as Dovecot leaves them out when it serves an mbox: {@code Status} (R \Seen; O only says the message is
 * no longer new), {@code X-Status} (A \Answered, F \Flagged, T \Draft, D \Deleted), {@code X-Keywords} (keywords,
 * separated by spaces or commas), and {@code X-UID}, {@code X-IMAP}, {@code X-IMAPbase}, {@code Content-Length}.
 * The received date is the {@code From } line's ({@link FromLine}).
 */
final class MboxFile implements MailFolder {

    private static final Set<String> PRIVATE_FIELDS = Set.of("status", "x-status", "x-keywords", "x-uid", "x-imap",
            "x-imapbase", "content-length");

    private final Path file;
    private final String name;

    MboxFile(Path file, String name) {
        this.file = file;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void read(MessageSink sink) throws IOException {
        Instant modified = Files.getLastModifiedTime(file).toInstant();
        try (InputStream in = Files.newInputStream(file)) {
            new Reading(new LineReader(in, 64 * 1024), sink, modified).run();
        }
    }

    /** The state of one pass over the file. */
    private final class Reading {
        private final LineReader lines;
        private final MessageSink sink;
        private final Instant modified;
        private @Nullable IncomingMessage message;
        private long lineNumber;
        private boolean previousEmpty = true;
        /** An empty line not yet written: it separates messages when a From line follows. */
        private boolean emptyPending;
        private boolean inHeader;
        /** Whether the segments read are the rest of a From line. */
        private boolean inFromLine;
        /** The private field being read (and left out), with its continuation lines; null when none. */
        private @Nullable StringBuilder privateField;

        Reading(LineReader lines, MessageSink sink, Instant modified) {
            this.lines = lines;
            this.sink = sink;
            this.modified = modified;
        }

        void run() throws IOException {
            while (lines.next()) {
                boolean start = lines.lineStart();
                if (start) {
                    lineNumber++;
                }
                boolean empty = start && lines.ended() && lines.length() == 0;
                if (start && previousEmpty && lines.startsWith("From ")) {
                    begin();
                    inFromLine = !lines.ended();
                } else if (inFromLine) {
                    // the rest of a From line longer than a segment: the separator, not the message
                    inFromLine = !lines.ended();
                } else if (message == null) {
                    if (!empty) {
                        throw new IOException(file + " is not an mbox file: line " + lineNumber
                                + " comes before any \"From \" line");
                    }
                } else {
                    content(start, empty);
                }
                if (start || lines.ended()) {
                    previousEmpty = empty;
                }
            }
            end();
        }

        private void begin() {
            end();
            IncomingMessage next = sink.open(file + ":" + lineNumber);
            Instant date = lines.ended() ? FromLine.date(new String(lines.bytes(), 0, lines.length(),
                    StandardCharsets.ISO_8859_1)) : null;
            if (date != null) {
                next.internalDate(date);
            }
            next.fallbackDate(modified);
            message = next;
            inHeader = true;
            emptyPending = false;
            privateField = null;
        }

        private void content(boolean start, boolean empty) {
            IncomingMessage current = message;
            if (current == null) {
                return;
            }
            if (emptyPending) {
                current.line(lines.bytes(), 0, 0, true);
                emptyPending = false;
            }
            if (empty) {
                if (inHeader) {
                    endPrivateField(current);
                    inHeader = false;
                }
                emptyPending = true;
                return;
            }
            if (inHeader) {
                header(current, start);
                return;
            }
            int from = start && quotedFrom() ? 1 : 0;
            current.line(lines.bytes(), from, lines.length() - from, lines.ended());
        }

        /** A header line: private fields are read and left out, with their continuation lines. */
        private void header(IncomingMessage current, boolean start) {
            byte[] bytes = lines.bytes();
            boolean continuation = !start || bytes[0] == ' ' || bytes[0] == '\t';
            if (!continuation) {
                endPrivateField(current);
                String field = fieldName(bytes, lines.length());
                if (field != null && PRIVATE_FIELDS.contains(field)) {
                    privateField = new StringBuilder();
                }
            }
            StringBuilder held = privateField;
            if (held != null) {
                if (held.length() < 64 * 1024) {
                    held.append(new String(bytes, 0, lines.length(), StandardCharsets.UTF_8)).append(' ');
                }
                return;
            }
            int from = start && quotedFrom() ? 1 : 0;
            current.line(bytes, from, lines.length() - from, lines.ended());
        }

        private void endPrivateField(IncomingMessage current) {
            StringBuilder held = privateField;
            privateField = null;
            if (held == null) {
                return;
            }
            String text = held.toString();
            int colon = text.indexOf(':');
            String field = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = text.substring(colon + 1).trim();
            switch (field) {
                case "status":
                    if (value.indexOf('R') >= 0) {
                        current.flag(MailFlags.SEEN);
                    }
                    break;
                case "x-status":
                    statusFlag(current, value, 'A', MailFlags.ANSWERED);
                    statusFlag(current, value, 'F', MailFlags.FLAGGED);
                    statusFlag(current, value, 'T', MailFlags.DRAFT);
                    statusFlag(current, value, 'D', MailFlags.DELETED);
                    break;
                case "x-keywords":
                    for (String keyword : value.split("[\\s,]+")) {
                        if (MailFlags.isKeyword(keyword)) {
                            current.flag(keyword);
                        }
                    }
                    break;
                default:
                    break;
            }
        }

        private void end() {
            IncomingMessage current = message;
            message = null;
            if (current != null) {
                if (inHeader) {
                    endPrivateField(current);
                }
                // a pending empty line at the end of the file separates the last message from nothing
                sink.close(current);
            }
        }

        /** Whether the line matches {@code ^>+From } (mboxrd quoting). */
        private boolean quotedFrom() {
            byte[] bytes = lines.bytes();
            int i = 0;
            while (i < lines.length() && bytes[i] == '>') {
                i++;
            }
            return i > 0 && lines.length() - i >= 5 && bytes[i] == 'F' && bytes[i + 1] == 'r' && bytes[i + 2] == 'o'
                    && bytes[i + 3] == 'm' && bytes[i + 4] == ' ';
        }
    }

    private static void statusFlag(IncomingMessage message, String value, char letter, String flag) {
        if (value.indexOf(letter) >= 0) {
            message.flag(flag);
        }
    }

    /** The lower-case name of the header field a line starts, or null when it starts none. */
    private static @Nullable String fieldName(byte[] bytes, int length) {
        for (int i = 0; i < length; i++) {
            byte b = bytes[i];
            if (b == ':') {
                return i == 0 ? null : new String(bytes, 0, i, StandardCharsets.US_ASCII).trim()
                        .toLowerCase(Locale.ROOT);
            }
            if (b <= ' ' || b >= 0x7f) {
                return null;
            }
        }
        return null;
    }
}
