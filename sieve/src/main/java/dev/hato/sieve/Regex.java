package dev.hato.sieve;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code :regex} key (draft-ietf-sieve-regex-01): a POSIX extended regular expression, as Pigeonhole reads it with
 * glibc's {@code regcomp} (the GNU escapes {@code \w \W \s \S \b \B \< \>} included), translated once to a
 * {@link Pattern}: bracket expressions with {@code [:class:]} names, backslashes and brackets literal inside them,
 * {@code $} only at the very end, {@code .} matching line ends too, and any other escaped letter standing for
 * itself (glibc reads {@code \d} as "d"). Java's own syntax ({@code (?…)} groups, {@code \d}, {@code \p{…}},
 * lazy and possessive quantifiers after a quantifier) is refused at upload rather than given a meaning POSIX does
 * not have; so are equivalence classes and collating symbols.
 *
 * <p>Java's matcher backtracks, so what a message's author writes could make it run for minutes: the value is read
 * through a {@link CharSequence} that charges the {@link Budget} every 1,024 characters read, which stops a match
 * that has spent the evaluation's steps or time; one that recurses too deep for the thread's stack fails the same way.
 */
final class Regex {

    private static final Map<String, String> CLASSES = Map.ofEntries(
            Map.entry("alpha", "\\p{Alpha}"), Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"),
            Map.entry("upper", "\\p{Upper}"), Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\s\\x0B"),
            Map.entry("blank", "\\p{Blank}"), Map.entry("punct", "\\p{Punct}"), Map.entry("print", "\\p{Print}"),
            Map.entry("graph", "\\p{Graph}"), Map.entry("cntrl", "\\p{Cntrl}"), Map.entry("xdigit", "\\p{XDigit}"));

    private final Pattern pattern;

    private Regex(Pattern pattern) {
        this.pattern = pattern;
    }

    /** @throws IllegalArgumentException with the reason when the expression is not one this engine takes */
    static Regex compile(String expression, boolean caseInsensitive) {
        String java = translate(expression);
        try {
            return new Regex(Pattern.compile(java, Pattern.DOTALL | (caseInsensitive ? Pattern.CASE_INSENSITIVE : 0)));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + expression + "': "
                    + e.getDescription());
        }
    }

    /** Whether the expression matches anywhere in {@code value} (POSIX regexec searches, it does not anchor). */
    boolean find(String value, Budget budget) {
        return search(value, budget) != null;
    }

    /** The groups of the first match ({@code ${0}} the whole of it; a group that took no part is empty), or null. */
    java.util.@org.jspecify.annotations.Nullable List<String> groups(String value, Budget budget) {
        Matcher matcher = search(value, budget);
        if (matcher == null) {
            return null;
        }
        java.util.List<String> groups = new java.util.ArrayList<>();
        for (int g = 0; g <= matcher.groupCount(); g++) {
            String group = matcher.group(g);
            groups.add(group == null ? "" : group);
        }
        return groups;
    }

    /** The matcher at the first match in {@code value}, or null; the budget charged as the value is read. */
    private @org.jspecify.annotations.Nullable Matcher search(String value, Budget budget) {
        budget.spend(1);
        Matcher matcher = pattern.matcher(new Charged(value, budget));
        try {
            return matcher.find() ? matcher : null;
        } catch (StackOverflowError tooDeep) {
            // Java's matcher recurses per repetition of a group: a long value can exhaust the thread's stack
            throw new Budget.Exhausted("the regular expression went too deep into a value of " + value.length()
                    + " characters");
        }
    }

    private static String translate(String ere) {
        StringBuilder java = new StringBuilder(ere.length() + 8);
        int references = 0;
        boolean quantified = false;
        int i = 0;
        while (i < ere.length()) {
            char c = ere.charAt(i);
            boolean quantifier = false;
            switch (c) {
                case '\\' -> {
                    if (i + 1 >= ere.length()) {
                        throw new IllegalArgumentException("invalid regular expression '" + ere
                                + "': a backslash at the end");
                    }
                    char next = ere.charAt(++i);
                    if ("wWsSbB".indexOf(next) >= 0) {
                        java.append('\\').append(next);
                    } else if (next == '<') {
                        java.append("\\b(?=\\w)"); // GNU: the start of a word
                    } else if (next == '>') {
                        java.append("\\b(?<=\\w)"); // GNU: the end of a word
                    } else if (next >= '1' && next <= '9') {
                        java.append('\\').append(next); // a back-reference, as glibc's ERE takes it
                        references = Math.max(references, next - '0');
                    } else {
                        java.append(Pattern.quote(String.valueOf(next)));
                    }
                }
                case '[' -> i = bracket(ere, i, java) - 1;
                case '$' -> java.append("\\z");
                case '(' -> {
                    if (i + 1 < ere.length() && ere.charAt(i + 1) == '?') {
                        throw new IllegalArgumentException("invalid regular expression '" + ere
                                + "': '(?' is not POSIX");
                    }
                    java.append('(');
                }
                case '*', '+', '?' -> {
                    if (quantified) {
                        throw new IllegalArgumentException("invalid regular expression '" + ere
                                + "': a quantifier after a quantifier");
                    }
                    java.append(c);
                    quantifier = true;
                }
                case '{' -> {
                    int close = ere.indexOf('}', i);
                    if (quantified && close > 0) {
                        throw new IllegalArgumentException("invalid regular expression '" + ere
                                + "': a quantifier after a quantifier");
                    }
                    java.append(c);
                    if (i + 1 < ere.length() && ere.charAt(i + 1) == ',') {
                        java.append('0'); // glibc reads {,n} as {0,n}
                    }
                }
                case '}' -> {
                    java.append(c);
                    quantifier = true;
                }
                default -> java.append(c);
            }
            quantified = quantifier;
            i++;
        }
        int groups;
        try {
            groups = Pattern.compile(java.toString().replaceAll("\\\\[1-9]", "")).matcher("").groupCount();
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid regular expression '" + ere + "': " + e.getDescription());
        }
        if (references > groups) {
            throw new IllegalArgumentException("invalid regular expression '" + ere + "': a back-reference to group "
                    + references + " of " + groups);
        }
        return java.toString();
    }

    /**
     * A POSIX bracket expression from {@code start} ({@code [}) to its {@code ]}, written as a Java class; the index
     * after it. Inside one, a backslash is a backslash, "]" first is a "]", and {@code [:name:]} is a class.
     */
    private static int bracket(String ere, int start, StringBuilder java) {
        int i = start + 1;
        java.append('[');
        if (i < ere.length() && ere.charAt(i) == '^') {
            java.append('^');
            i++;
        }
        boolean first = true;
        while (i < ere.length()) {
            char c = ere.charAt(i);
            if (c == ']' && !first) {
                java.append(']');
                return i + 1;
            }
            if (c == '[' && i + 1 < ere.length() && ":=.".indexOf(ere.charAt(i + 1)) >= 0) {
                char kind = ere.charAt(i + 1);
                int end = ere.indexOf(kind + "]", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("invalid regular expression '" + ere
                            + "': an unclosed [" + kind);
                }
                String name = ere.substring(i + 2, end);
                String javaClass = kind == ':' ? CLASSES.get(name) : null;
                if (javaClass == null) {
                    throw new IllegalArgumentException("invalid regular expression '" + ere + "': "
                            + (kind == ':' ? "unknown character class [:" + name + ":]"
                            : "equivalence classes and collating symbols are not supported"));
                }
                java.append(javaClass);
                i = end + 2;
            } else if (c == '\\' || c == '[' || c == '&' || c == ']' || c == '^') {
                java.append('\\').append(c);
                i++;
            } else {
                java.append(c);
                i++;
            }
            first = false;
        }
        throw new IllegalArgumentException("invalid regular expression '" + ere + "': an unclosed [");
    }

    /** The value as the matcher reads it, one step of the budget per 1,024 characters read. */
    private static final class Charged implements CharSequence {
        private final String value;
        private final Budget budget;
        private int reads;

        Charged(String value, Budget budget) {
            this.value = value;
            this.budget = budget;
        }

        @Override
        public int length() {
            return value.length();
        }

        @Override
        public char charAt(int index) {
            if (++reads == 1024) {
                reads = 0;
                budget.spend(1);
            }
            return value.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Charged(value.substring(start, end), budget);
        }

        @Override
        public String toString() {
            return value;
        }
    }
}
