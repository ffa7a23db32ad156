package dev.hato.sieve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A set of IMAP flags as imap4flags keeps it (RFC 5232 §3): flags compared case-insensitively, the first spelling
 * kept, system flags written as IMAP writes them ({@code \Seen}). Strings are lists of flags separated by spaces;
 * a flag that IMAP would not take ({@code \Recent}, an unknown system flag, a keyword with an atom-special) is left
 * out, as Pigeonhole does (it warns at upload).
 */
final class Flags {

    private static final List<String> SYSTEM = List.of("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft");

    private final Map<String, String> flags = new LinkedHashMap<>();

    /** Each valid flag named in the strings, in order, once. */
    static List<String> parse(List<String> strings) {
        Flags parsed = new Flags();
        parsed.add(strings);
        return parsed.list();
    }

    void set(List<String> strings) {
        flags.clear();
        add(strings);
    }

    void add(List<String> strings) {
        for (String string : strings) {
            for (String flag : string.split(" ")) {
                String valid = valid(flag);
                if (valid != null) {
                    flags.putIfAbsent(valid.toLowerCase(Locale.ROOT), valid);
                }
            }
        }
    }

    void remove(List<String> strings) {
        for (String string : strings) {
            for (String flag : string.split(" ")) {
                flags.remove(flag.toLowerCase(Locale.ROOT));
            }
        }
    }

    List<String> list() {
        return new ArrayList<>(flags.values());
    }

    /** The flag as IMAP writes it, or null if IMAP would refuse it (RFC 3501 §9 flag, without \Recent). */
    private static @Nullable String valid(String flag) {
        if (flag.isEmpty()) {
            return null;
        }
        if (flag.charAt(0) == '\\') {
            for (String system : SYSTEM) {
                if (system.equalsIgnoreCase(flag)) {
                    return system;
                }
            }
            return null;
        }
        for (int i = 0; i < flag.length(); i++) {
            char c = flag.charAt(i);
            if (c <= ' ' || c >= 0x7f || "(){%*\"\\]".indexOf(c) >= 0) {
                return null;
            }
        }
        return flag;
    }
}
