package dev.hato.sieve;

import dev.hato.sieve.match.Comparator;
import dev.hato.sieve.match.Glob;
import dev.hato.sieve.match.Relation;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How a test compares its values with its keys (RFC 5228 §2.7): the match type, the comparator, and the keys, those
 * of {@code :matches} compiled once. A test is true when any value matches any key (§2.7.1); with the relational
 * {@code :count} (RFC 5231 §4.2) when the number of values stands in the relation to a key.
 *
 * @param relation for {@code :value} and {@code :count}, null otherwise
 */
public record Match(Type type, @Nullable Relation relation, Comparator comparator, List<String> keys,
                    List<Glob> patterns, List<Regex> expressions) {

    public enum Type { IS, CONTAINS, MATCHES, VALUE, COUNT, REGEX }

    public Match {
        keys = List.copyOf(keys);
        patterns = List.copyOf(patterns);
        expressions = List.copyOf(expressions);
        if ((relation == null) != (type != Type.VALUE && type != Type.COUNT)) {
            throw new IllegalArgumentException(":value and :count take a relation, the other match types none");
        }
    }

    /** @throws IllegalArgumentException when a {@code :regex} key is not a regular expression this engine takes */
    static Match of(Type type, @Nullable Relation relation, Comparator comparator, List<String> keys) {
        List<Glob> patterns = type == Type.MATCHES
                ? keys.stream().map(key -> Glob.compile(key, comparator)).toList() : List.of();
        boolean caseInsensitive = !comparator.name().equals("i;octet");
        List<Regex> expressions = type == Type.REGEX
                ? keys.stream().map(key -> Regex.compile(key, caseInsensitive)).toList() : List.of();
        return new Match(type, relation, comparator, keys, patterns, expressions);
    }

    /** Keys that hold variables: nothing is compiled until they are expanded ({@link #expanded}). */
    static Match late(Type type, @Nullable Relation relation, Comparator comparator, List<String> keys) {
        return new Match(type, relation, comparator, keys, List.of(), List.of());
    }

    /** Whether the keys must be expanded (and patterns compiled) when the test runs. */
    boolean isLate() {
        return (type == Type.MATCHES && patterns.size() != keys.size())
                || (type == Type.REGEX && expressions.size() != keys.size())
                || keys.stream().anyMatch(key -> key.contains("${"));
    }

    /** This match with {@code keys} expanded; a :regex key that is no regular expression fails the script. */
    Match expanded(List<String> keys) {
        return of(type, relation, comparator, keys);
    }

    /** Whether the values (those of every field or address the test reads, in order) match. */
    public boolean test(List<String> values, Budget budget) {
        return test(values, budget, null);
    }

    /**
     * As {@link #test(List, Budget)}; a successful {@code :matches} or {@code :regex} gives its captures to
     * {@code captures} (RFC 5229 §3.2).
     */
    boolean test(List<String> values, Budget budget, java.util.function.@Nullable Consumer<List<String>> captures) {
        if (type == Type.COUNT) {
            String count = Integer.toString(values.size());
            for (String key : keys) {
                budget.spend(1);
                if (relation.holds(comparator.compare(count, key, budget))) {
                    return true;
                }
            }
            return false;
        }
        for (String value : values) {
            for (int i = 0; i < keys.size(); i++) {
                budget.spend(1);
                if (captures != null && type == Type.MATCHES) {
                    List<String> found = patterns.get(i).match(value, budget);
                    if (found != null) {
                        captures.accept(found);
                        return true;
                    }
                } else if (captures != null && type == Type.REGEX) {
                    List<String> found = expressions.get(i).groups(value, budget);
                    if (found != null) {
                        captures.accept(found);
                        return true;
                    }
                } else if (matches(value, i, budget)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean matches(String value, int key, Budget budget) {
        return switch (type) {
            case IS -> comparator.equal(value, keys.get(key), budget);
            case CONTAINS -> comparator.contains(value, keys.get(key), budget);
            case MATCHES -> patterns.get(key).matches(value, budget);
            case REGEX -> expressions.get(key).find(value, budget);
            case VALUE -> relation.holds(comparator.compare(value, keys.get(key), budget));
            case COUNT -> throw new IllegalStateException(":count compares the number of values");
        };
    }
}
