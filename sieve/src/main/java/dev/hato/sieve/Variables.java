package dev.hato.sieve;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The variables of one evaluation (RFC 5229): those {@code set} names (case-insensitive) and the match variables
 * {@code ${0}}…{@code ${9}} of the last successful {@code :matches} or {@code :regex} test (§3.2). Strings are
 * expanded as they are used; an unknown variable is the empty string; what is not a variable reference stays as
 * written ({@code "${"}, {@code "${}"}). Values are cut at {@link #MAX_VALUE} characters and a script may set at
 * most {@link #MAX_VARIABLES} names, as Pigeonhole's defaults have it; every expansion is charged to the budget.
 */
final class Variables {

    /** Pigeonhole's sieve_variables_max_variable_size (4 KiB), in characters here. */
    static final int MAX_VALUE = 4096;

    /**
     * The longest string an expansion may build: strings are expanded where they are used (keys, folder names), and
     * without a bound 50,000 references to one 4,096-character variable would build 200 million characters.
     */
    static final int MAX_EXPANDED = 16 * MAX_VALUE;

    /** Pigeonhole's sieve_variables_max_scope_size. */
    static final int MAX_VARIABLES = 255;

    private static final int MATCH_VARIABLES = 10;

    private final Map<String, String> named = new HashMap<>();
    private List<String> matched = List.of();

    void set(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!named.containsKey(key) && named.size() >= MAX_VARIABLES) {
            throw new Budget.Exhausted("more than " + MAX_VARIABLES + " variables");
        }
        named.put(key, cut(value));
    }

    /** The value of a variable {@code set} names, empty when it was never set. */
    String get(String name) {
        return named.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }

    /** RFC 5229 §3.2: the captures of a successful match, {@code ${0}} the whole value. */
    void matched(List<String> captures) {
        matched = captures.size() > MATCH_VARIABLES ? List.copyOf(captures.subList(0, MATCH_VARIABLES))
                : List.copyOf(captures);
    }

    /** {@code text} with its variable references replaced. */
    String expand(String text, Budget budget) {
        int open = text.indexOf("${");
        if (open < 0) {
            return text;
        }
        budget.spend(1 + text.length() / 64);
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        while (open >= 0) {
            int close = text.indexOf('}', open + 2);
            if (close < 0) {
                break;
            }
            String name = text.substring(open + 2, close);
            String value = value(name);
            if (value == null) {
                open = text.indexOf("${", open + 2);
                continue;
            }
            budget.spend(1 + value.length() / 64);
            if (out.length() + (open - copied) + value.length() > MAX_EXPANDED) {
                throw new Budget.Exhausted("a string expands to more than " + MAX_EXPANDED + " characters");
            }
            out.append(text, copied, open).append(value);
            copied = close + 1;
            open = text.indexOf("${", copied);
        }
        out.append(text, copied, text.length());
        return out.toString();
    }

    List<String> expand(List<String> texts, Budget budget) {
        return texts.stream().map(text -> expand(text, budget)).toList();
    }

    /** The value of a reference's name, or null when the name is not a reference (the text stays as written). */
    private @Nullable String value(String name) {
        if (isNumber(name)) {
            int index = name.length() > 2 ? Integer.MAX_VALUE : Integer.parseInt(name);
            return index < matched.size() ? matched.get(index) : "";
        }
        if (!isIdentifier(name)) {
            return null;
        }
        return named.getOrDefault(name.toLowerCase(Locale.ROOT), "");
    }

    private static String cut(String value) {
        return value.length() > MAX_VALUE ? value.substring(0, MAX_VALUE) : value;
    }

    /** RFC 5229 §3 {@code num-variable = 1*DIGIT}. */
    static boolean isNumber(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** RFC 5228 §8.1 identifier: what {@code set} may name. */
    static boolean isIdentifier(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /**
     * The references to a namespace ({@code ${a.b}}) in {@code text}: RFC 5229 §3 makes them an error without the
     * extension that defines the namespace, and this engine has none.
     */
    static boolean hasNamespacedReference(String text) {
        int open = text.indexOf("${");
        while (open >= 0) {
            int close = text.indexOf('}', open + 2);
            if (close < 0) {
                return false;
            }
            String name = text.substring(open + 2, close);
            int dot = name.indexOf('.');
            if (dot > 0 && name.chars().allMatch(c -> c == '.' || c == '_' || Character.isLetterOrDigit(c) && c < 0x80)
                    && isIdentifier(name.substring(0, dot))) {
                return true;
            }
            open = text.indexOf("${", open + 2);
        }
        return false;
    }
}
