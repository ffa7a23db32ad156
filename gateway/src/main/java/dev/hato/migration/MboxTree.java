package dev.hato.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The folders of an mbox import. One file is one folder: INBOX, or the folder named on the command line. A directory
 * (Dovecot's or Pine's {@code mail/}, Thunderbird's {@code Mail/Local Folders}) is a tree: each file is the folder
 * of its relative path ({@code Lists/hato}), each directory a parent folder; Thunderbird's {@code X.sbd/} holds the
 * children of {@code X}; a top-level file {@code inbox} is INBOX. Left out: dot files and directories (Dovecot's
 * {@code .imap/} indexes and {@code .subscriptions}), and the index and lock files of other programs
 * ({@code .msf}, {@code .lock}, {@code .dat}, {@code .idx}). Names are read by {@link DiskNames}.
 */
final class MboxTree {

    private static final List<String> NOT_MAIL = List.of(".msf", ".lock", ".dat", ".idx", ".html", ".json");
    private static final int MAX_DEPTH = 32;

    private MboxTree() { }

    /** The folders of {@code path}; {@code folder}, when given, is the single file's folder or the tree's parent. */
    static List<MailFolder> folders(Path path, @Nullable String folder) throws IOException {
        if (Files.isRegularFile(path)) {
            return List.of(new MboxFile(path, folder == null ? "INBOX" : folder));
        }
        if (!Files.isDirectory(path)) {
            throw new IOException(path + " is neither an mbox file nor a directory of them");
        }
        List<MailFolder> folders = new ArrayList<>();
        walk(path, folder == null ? "" : folder + "/", 1, folders);
        return folders;
    }

    private static void walk(Path dir, String prefix, int depth, List<MailFolder> folders) throws IOException {
        if (depth > MAX_DEPTH) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : (Iterable<Path>) entries.sorted()::iterator) {
                String file = entry.getFileName().toString();
                if (file.startsWith(".")) {
                    continue;
                }
                if (Files.isDirectory(entry)) {
                    String parent = file.endsWith(".sbd") ? file.substring(0, file.length() - 4) : file;
                    walk(entry, prefix + DiskNames.level(parent) + "/", depth + 1, folders);
                } else if (Files.isRegularFile(entry) && mail(file)) {
                    String name = prefix.isEmpty() && file.equalsIgnoreCase("inbox") ? "INBOX"
                            : prefix + DiskNames.level(file);
                    folders.add(new MboxFile(entry, name));
                }
            }
        }
    }

    private static boolean mail(String file) {
        String lower = file.toLowerCase(Locale.ROOT);
        return NOT_MAIL.stream().noneMatch(lower::endsWith);
    }

    /**
     * The subscribed folders of an mbox directory as Dovecot keeps them ({@code .subscriptions}: one name per line,
     * {@code /} between levels), under {@code folder} when given; none for a single file.
     */
    static Set<String> subscriptions(Path path, @Nullable String folder) throws IOException {
        Path file = path.resolve(".subscriptions");
        Set<String> names = new LinkedHashSet<>();
        if (!Files.isDirectory(path) || !Files.isRegularFile(file)) {
            return names;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                String name = DiskNames.name(line.strip(), "/");
                names.add(folder == null ? name : folder + "/" + name);
            }
        }
        return names;
    }
}
