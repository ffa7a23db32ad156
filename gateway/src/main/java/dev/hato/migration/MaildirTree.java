package dev.hato.migration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The folders of a Maildir root as Dovecot and Courier lay them out. The root is the INBOX. Maildir++ (both servers'
 * default): every other folder is a directory {@code .name} in the root, levels separated by {@code .}
 * ({@code .Lists.hato} is {@code Lists/hato}). Dovecot's {@code LAYOUT=fs}: folders are subdirectories that are
 * Maildirs themselves ({@code Lists/hato/cur}). Names on disk are read by {@link DiskNames}.
 */
final class MaildirTree {

    /** Deepest folder tree walked in the fs layout; Hato's own names have at most 32 levels. */
    private static final int MAX_DEPTH = 32;

    private MaildirTree() { }

    /** The folders under {@code root}, INBOX first, then by name. */
    static List<MailFolder> folders(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException(root + " is not a directory");
        }
        List<MailFolder> folders = new ArrayList<>();
        if (MaildirFolder.isMaildir(root)) {
            folders.add(new MaildirFolder(root, "INBOX"));
        }
        try (Stream<Path> entries = Files.list(root)) {
            for (Path dir : (Iterable<Path>) entries.sorted()::iterator) {
                String file = dir.getFileName().toString();
                if (file.length() > 1 && file.startsWith(".") && !file.equals("..") && Files.isDirectory(dir)
                        && MaildirFolder.isMaildir(dir)) {
                    folders.add(new MaildirFolder(dir, DiskNames.name(file.substring(1), "\\.")));
                }
            }
        }
        walkFs(root, "", 1, folders);
        if (folders.isEmpty()) {
            throw new IOException(root + " is not a Maildir: it has no cur/ or new/ and no folders");
        }
        folders.sort(Comparator.comparing((MailFolder f) -> !f.name().equals("INBOX")).thenComparing(MailFolder::name));
        return folders;
    }

    /** {@code LAYOUT=fs}: subdirectories other than cur/new/tmp and dot directories, Maildirs or parents of some. */
    private static void walkFs(Path dir, String prefix, int depth, List<MailFolder> folders) throws IOException {
        if (depth > MAX_DEPTH) {
            return;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path sub : (Iterable<Path>) entries.sorted()::iterator) {
                String file = sub.getFileName().toString();
                if (file.startsWith(".") || file.equals("cur") || file.equals("new") || file.equals("tmp")
                        || !Files.isDirectory(sub)) {
                    continue;
                }
                String name = prefix + DiskNames.level(file);
                if (MaildirFolder.isMaildir(sub)) {
                    folders.add(new MaildirFolder(sub, name));
                }
                walkFs(sub, name + "/", depth + 1, folders);
            }
        }
    }

    /**
     * The subscribed folders in Hato's form: Dovecot's {@code subscriptions} (version 2: a {@code V\t2} line, an
     * empty line, then one name per line with TAB between levels; before: one name per line with the namespace's
     * separator, {@code .} for Maildir++) and Courier's {@code courierimapsubscribed} ({@code INBOX.}-prefixed names).
     */
    static Set<String> subscriptions(Path root) throws IOException {
        Set<String> names = new LinkedHashSet<>();
        Path dovecot = root.resolve("subscriptions");
        if (Files.isRegularFile(dovecot)) {
            List<String> lines = Files.readAllLines(dovecot, StandardCharsets.UTF_8);
            boolean v2 = !lines.isEmpty() && lines.get(0).equals("V\t2");
            for (String line : v2 ? lines.subList(1, lines.size()) : lines) {
                if (!line.isEmpty()) {
                    names.add(DiskNames.name(line, v2 ? "\t" : "\\."));
                }
            }
        }
        Path courier = root.resolve("courierimapsubscribed");
        if (Files.isRegularFile(courier)) {
            for (String line : Files.readAllLines(courier, StandardCharsets.UTF_8)) {
                if (line.equalsIgnoreCase("INBOX")) {
                    names.add("INBOX");
                } else if (line.regionMatches(true, 0, "INBOX.", 0, 6) && line.length() > 6) {
                    names.add(DiskNames.name(line.substring(6), "\\."));
                }
            }
        }
        return names;
    }
}
