package dev.hato.legacy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A {@code .forward} file as sendmail, Postfix's local(8) and Exim read it: addresses separated by commas or lines,
 * comments from {@code #}, {@code "\\user"} for "keep a copy in my own mailbox"; pipes ({@code |command}), files
 * ({@code /path}) and {@code :include:} cannot be carried over and are reported.
 *
 * @param targets     the addresses to forward to
 * @param keepCopy    whether the file delivers to the person too ({@code \\user}, or the person's own address)
 * @param unsupported the entries that cannot be carried over, as written
 */
public record ForwardFile(List<String> targets, boolean keepCopy, List<String> unsupported) {

    /** Most entries read; the rest is reported. */
    static final int MAX_TARGETS = 100;

    public ForwardFile {
        targets = List.copyOf(targets);
        unsupported = List.copyOf(unsupported);
    }

    /** The file's text, for the person whose login and address on the old system are given. */
    public static ForwardFile parse(String text, String login, String address) {
        List<String> targets = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        boolean keep = false;
        for (String rawLine : text.split("\r?\n")) {
            String line = withoutComment(rawLine);
            for (String entry : line.split(",")) {
                String item = entry.strip();
                if (item.startsWith("\"") && item.endsWith("\"") && item.length() >= 2) {
                    item = item.substring(1, item.length() - 1).strip();
                }
                if (item.isEmpty()) {
                    continue;
                }
                if (item.startsWith("\\")) {
                    String self = item.substring(1).toLowerCase(Locale.ROOT);
                    if (self.equals(login.toLowerCase(Locale.ROOT)) || self.equals(address.toLowerCase(Locale.ROOT))
                            || self.equals(localPart(address))) {
                        keep = true;
                    } else {
                        unsupported.add(item);
                    }
                } else if (item.startsWith("|") || item.startsWith("/") || item.startsWith(":include:")) {
                    unsupported.add(item);
                } else if (item.equalsIgnoreCase(address) || item.equalsIgnoreCase(login)) {
                    keep = true;
                } else if (item.indexOf('@') > 0 && item.indexOf('@') < item.length() - 1
                        && item.chars().noneMatch(c -> c <= ' ' || c == '<' || c == '>' || c == '"')
                        && targets.size() < MAX_TARGETS) {
                    if (!targets.contains(item)) {
                        targets.add(item);
                    }
                } else {
                    unsupported.add(item);
                }
            }
        }
        return new ForwardFile(targets, keep, unsupported);
    }

    /** The line up to a {@code #} outside double quotes. */
    private static String withoutComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    private static String localPart(String address) {
        int at = address.lastIndexOf('@');
        return (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
    }
}
