package dev.hato.contacts.ldif;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * RFC 2849's syntax: entries separated by blank lines, folded lines continued by one leading space, {@code attr::}
 * for base64 values; comments and {@code version:} skipped. Attribute names are lower-cased.
 */
final class LdifEntries {

    private LdifEntries() { }

    /** Each entry's attributes, values in the order given. */
    static List<Map<String, List<String>>> read(String text) {
        List<Map<String, List<String>>> entries = new ArrayList<>();
        Map<String, List<String>> entry = new LinkedHashMap<>();
        List<String> lines = unfold(text);
        for (String line : lines) {
            if (line.isEmpty()) {
                if (!entry.isEmpty()) {
                    entries.add(entry);
                    entry = new LinkedHashMap<>();
                }
                continue;
            }
            int colon = line.indexOf(':');
            if (line.startsWith("#") || colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String rest = line.substring(colon + 1);
            String value;
            if (rest.startsWith(":")) {
                value = new String(Base64.getMimeDecoder().decode(rest.substring(1).strip()), StandardCharsets.UTF_8);
            } else if (rest.startsWith("<")) {
                continue; // a URL to fetch: never followed
            } else {
                value = rest.strip();
            }
            if (!name.equals("version") || !entry.isEmpty()) {
                entry.computeIfAbsent(name, ignored -> new ArrayList<>()).add(value);
            }
        }
        if (!entry.isEmpty()) {
            entries.add(entry);
        }
        return entries;
    }

    private static List<String> unfold(String text) {
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\r?\n", -1)) {
            if (line.startsWith(" ") && !lines.isEmpty() && !lines.get(lines.size() - 1).isEmpty()) {
                lines.set(lines.size() - 1, lines.get(lines.size() - 1) + line.substring(1));
            } else {
                lines.add(line);
            }
        }
        return lines;
    }

    /** One {@code name: value} line, base64 when the value is not safe as it is (RFC 2849's SAFE-STRING). */
    static String line(String name, String value) {
        boolean safe = !value.isEmpty() && value.charAt(0) != ' ' && value.charAt(0) != ':' && value.charAt(0) != '<'
                && !value.endsWith(" ") && value.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
        return safe || value.isEmpty() ? name + ": " + value + "\n"
                : name + ":: " + Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)) + "\n";
    }
}
