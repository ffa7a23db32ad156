package dev.hato.sieve.match;

import dev.hato.sieve.Budget;
import java.util.Optional;

/**
 * A comparator (RFC 5228 §2.7.3, the collations of RFC 4790 §9 and RFC 5051): how a value from the message and a key
 * from the script are compared for {@code :is}, {@code :contains} and the relational {@code :value} (RFC 5231), and
 * what a character is for {@code :matches} ({@link Glob}). Every operation charges its work to a {@link Budget}.
 * The instances are immutable and shared.
 */
public sealed interface Comparator
        permits OctetComparator, AsciiCasemapComparator, AsciiNumericComparator, UnicodeCasemapComparator {

    /** "i;octet", "i;ascii-casemap", "i;ascii-numeric", "i;unicode-casemap" (RFC 4790 §9, RFC 5051). */
    String name();

    /**
     * By name as a script writes it (comparator names compare case-insensitively, RFC 4790 §3.1); empty when
     * unknown.
     */
    static Optional<Comparator> named(String name) {
        return switch (dev.hato.message.AsciiCasemap.lower(name)) {
            case OctetComparator.NAME -> Optional.of(OctetComparator.INSTANCE);
            case AsciiCasemapComparator.NAME -> Optional.of(AsciiCasemapComparator.INSTANCE);
            case AsciiNumericComparator.NAME -> Optional.of(AsciiNumericComparator.INSTANCE);
            case UnicodeCasemapComparator.NAME -> Optional.of(UnicodeCasemapComparator.INSTANCE);
            default -> Optional.empty();
        };
    }

    /**
     * False for i;ascii-numeric: {@code :contains} and {@code :matches} with it are errors (RFC 5228 §2.7.3), found
     * at compile time.
     */
    boolean substringSupported();

    /** {@code :is}: the comparator's equality operation (RFC 4790 §4.2.3). */
    boolean equal(String value, String key, Budget budget);

    /**
     * {@code :contains}: the comparator's substring operation (RFC 4790 §4.2.2); the empty key is in every value
     * (RFC 5228 §2.7.1). Throws IllegalStateException when !substringSupported().
     */
    boolean contains(String value, String key, Budget budget);

    /**
     * Ordering for relational :value (RFC 5231) and :is with i;ascii-numeric: negative, zero, positive as
     * {@code value} sorts before, with or after {@code key}.
     */
    int compare(String value, String key, Budget budget);
}
