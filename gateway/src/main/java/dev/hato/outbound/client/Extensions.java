package dev.hato.outbound.client;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The service extensions a server announced in its EHLO reply (RFC 5321 §4.1.1.1): each line after the first is a
 * keyword and its parameters. A HELO (or a failed EHLO) means none.
 */
public record Extensions(Map<String, List<String>> keywords) {

    public static final Extensions NONE = new Extensions(Map.of());

    public Extensions {
        keywords = Map.copyOf(keywords);
    }

    public static Extensions of(SmtpReply ehlo) {
        Map<String, List<String>> keywords = new HashMap<>();
        for (String line : ehlo.lines().subList(1, ehlo.lines().size())) {
            String[] words = line.trim().split("\\s+");
            if (words.length > 0 && !words[0].isEmpty()) {
                keywords.put(words[0].toUpperCase(Locale.ROOT), List.of(words).subList(1, words.length));
            }
        }
        return new Extensions(keywords);
    }

    public boolean has(String keyword) {
        return keywords.containsKey(keyword);
    }

    /** RFC 1870 SIZE: the announced limit, empty when none was given (or 0, "no fixed limit"). */
    public OptionalLong maxSize() {
        List<String> size = keywords.get("SIZE");
        if (size == null || size.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long limit = Long.parseLong(size.get(0));
            return limit > 0 ? OptionalLong.of(limit) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** RFC 4954 AUTH mechanisms, upper-cased. */
    public Set<String> authMechanisms() {
        List<String> mechanisms = keywords.get("AUTH");
        return mechanisms == null ? Set.of()
                : Set.copyOf(mechanisms.stream().map(m -> m.toUpperCase(Locale.ROOT)).toList());
    }
}
