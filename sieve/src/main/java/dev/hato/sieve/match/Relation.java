package dev.hato.sieve.match;

import java.util.Optional;

/** The relational match of {@code :value} and {@code :count} (RFC 5231 §4): the value on the left, the key on the right. */
public enum Relation {
    GT, GE, LT, LE, EQ, NE;

    /** "gt", "ge", ... case-insensitively (RFC 5231 §4); empty when unknown. */
    public static Optional<Relation> named(String name) {
        for (Relation relation : values()) {
            if (relation.name().equals(dev.hato.message.AsciiCasemap.upper(name))) {
                return Optional.of(relation);
            }
        }
        return Optional.empty();
    }

    /** Whether the relation holds for a comparator result (negative: value before key; zero; positive). */
    public boolean holds(int comparison) {
        return switch (this) {
            case GT -> comparison > 0;
            case GE -> comparison >= 0;
            case LT -> comparison < 0;
            case LE -> comparison <= 0;
            case EQ -> comparison == 0;
            case NE -> comparison != 0;
        };
    }
}
