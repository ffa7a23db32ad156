package dev.hato.migration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One Maildir folder ({@code cur/}, {@code new/}; {@code tmp/} holds deliveries in progress and is ignored), read
 * as Dovecot reads it: a message's flags are in its file name after {@code :2,} (Maildir's "info"; D \Draft,
 * F \Flagged, P $Forwarded, R \Answered, S \Seen, T \Deleted, and a–z the keywords the folder's
 * {@code dovecot-keywords} file numbers from 0), its received date is the file's modification time. A file in
 * {@code new/} has not been seen by any client; Dovecot honours an info it has all the same, and so does this.
 * Messages are read in the order of their dates, then names (which start with the delivery time).
 */
final class MaildirFolder implements MailFolder {

    private final Path dir;
    private final String name;

    MaildirFolder(Path dir, String name) {
        this.dir = dir;
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    /** Whether {@code dir} is a Maildir folder: it has {@code cur/} or {@code new/}. */
    static boolean isMaildir(Path dir) {
        return Files.isDirectory(dir.resolve("cur")) || Files.isDirectory(dir.resolve("new"));
    }

    @Override
    public void read(MessageSink sink) throws IOException {
        List<String> keywords = keywords(dir.resolve("dovecot-keywords"));
        for (Entry entry : entries()) {
            IncomingMessage message = sink.open(entry.file().toString());
            message.internalDate(entry.attributes().lastModifiedTime().toInstant());
            flags(entry.file().getFileName().toString(), keywords, message);
            copy(entry, message);
            sink.close(message);
        }
    }

    private static void copy(Entry entry, IncomingMessage message) {
        // LF becomes CRLF, which never makes a message smaller: a file over the limit is refused unread.
        long size = entry.attributes().size();
        if (size > message.limit()) {
            message.refuse("larger than the largest message the server accepts (" + message.limit() + " octets): "
                    + size + " octets");
            return;
        }
        try (InputStream in = Files.newInputStream(entry.file())) {
            LineReader lines = new LineReader(in, 64 * 1024);
            while (lines.next() && message.refusal() == null) {
                message.line(lines.bytes(), 0, lines.length(), lines.ended());
            }
        } catch (IOException e) {
            message.refuse("unreadable: " + e.getMessage());
        }
    }

    /** The files of {@code new/} and {@code cur/}, by date then name; dot files (and {@code tmp/}) left out. */
    private List<Entry> entries() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (String sub : List.of("new", "cur")) {
            Path messages = dir.resolve(sub);
            if (!Files.isDirectory(messages)) {
                continue;
            }
            try (Stream<Path> files = Files.list(messages)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    if (file.getFileName().toString().startsWith(".")) {
                        continue;
                    }
                    try {
                        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                        if (attributes.isRegularFile()) {
                            entries.add(new Entry(file, attributes));
                        }
                    } catch (NoSuchFileException gone) {
                        // expunged or moved to cur/ by a server still running on the old store
                    }
                }
            }
        }
        entries.sort(Comparator.comparing((Entry e) -> e.attributes().lastModifiedTime())
                .thenComparing(e -> e.file().getFileName().toString()));
        return entries;
    }

    private record Entry(Path file, BasicFileAttributes attributes) { }

    /** The flags of a Maildir file name's info ({@code :2,} or, where ':' cannot be in a name, {@code ;2,}). */
    static void flags(String fileName, List<String> keywords, IncomingMessage message) {
        int info = fileName.lastIndexOf(":2,");
        if (info < 0) {
            info = fileName.lastIndexOf(";2,");
        }
        if (info < 0) {
            return;
        }
        for (int i = info + 3; i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            String flag = systemFlag(c);
            if (flag != null) {
                message.flag(flag);
            } else if (c >= 'a' && c <= 'z' && c - 'a' < keywords.size()) {
                String keyword = keywords.get(c - 'a');
                if (MailFlags.isKeyword(keyword)) {
                    message.flag(keyword);
                }
            }
        }
    }

    private static @Nullable String systemFlag(char c) {
        switch (c) {
            case 'D': return MailFlags.DRAFT;
            case 'F': return MailFlags.FLAGGED;
            case 'P': return MailFlags.FORWARDED;
            case 'R': return MailFlags.ANSWERED;
            case 'S': return MailFlags.SEEN;
            case 'T': return MailFlags.DELETED;
            default: return null;
        }
    }

    /**
     * Dovecot's {@code dovecot-keywords}: lines {@code N name}, N from 0 for a to 25 for z; an index without a line
     * is an empty string (a letter that names no keyword is ignored).
     */
    static List<String> keywords(Path file) throws IOException {
        List<String> keywords = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return keywords;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int space = line.indexOf(' ');
            if (space <= 0) {
                continue;
            }
            try {
                int index = Integer.parseInt(line.substring(0, space));
                if (index < 0 || index >= 26) {
                    continue;
                }
                while (keywords.size() <= index) {
                    keywords.add("");
                }
                keywords.set(index, line.substring(space + 1).trim());
            } catch (NumberFormatException notAKeywordLine) {
                // Dovecot writes nothing else; a hand-edited file may
            }
        }
        return keywords;
    }
}
