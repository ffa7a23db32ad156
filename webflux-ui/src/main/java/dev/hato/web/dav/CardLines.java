package dev.hato.web.dav;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A vCard's content lines (RFC 6350 §3.3), unfolded: name (group and case dropped), parameters and the raw value.
 * What addressbook-query's filters test: the same for vCard 3.0 and 4.0, and linear in the text.
 */
final class CardLines {

    record Line(String name, Map<String, List<String>> parameters, String value) { }

    private CardLines() { }

    static List<Line> of(String vcard) {
        List<Line> lines = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String physical : vcard.split("\r\n|\n", -1)) {
            if ((physical.startsWith(" ") || physical.startsWith("\t")) && current.length() > 0) {
                current.append(physical, 1, physical.length());
                continue;
            }
            add(lines, current.toString());
            current.setLength(0);
            current.append(physical);
        }
        add(lines, current.toString());
        return lines;
    }

    private static void add(List<Line> lines, String line) {
        int colon = valueStart(line);
        if (colon < 0) {
            return;
        }
        String[] head = line.substring(0, colon).split(";");
        String name = head[0];
        int dot = name.lastIndexOf('.');
        name = name.substring(dot + 1).toUpperCase(Locale.ROOT);
        Map<String, List<String>> parameters = new LinkedHashMap<>();
        for (int i = 1; i < head.length; i++) {
            int equals = head[i].indexOf('=');
            String key = (equals < 0 ? "TYPE" : head[i].substring(0, equals)).toUpperCase(Locale.ROOT);
            String value = equals < 0 ? head[i] : head[i].substring(equals + 1);
            for (String one : unquote(value).split(",")) {
                parameters.computeIfAbsent(key, k -> new ArrayList<>()).add(one);
            }
        }
        lines.add(new Line(name, parameters, line.substring(colon + 1)));
    }

    /** The colon that ends the name and parameters: the first one outside a quoted parameter value. */
    private static int valueStart(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ':' && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }
}
