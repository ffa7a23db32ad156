package dev.hato.sieve.grammar;

import java.util.List;

/** One argument of a command or test (RFC 5228 §2.6, §8.2: {@code argument = string-list / number / tag}). */
public sealed interface Argument {

    Position at();

    /** A tagged argument, {@code :name}; the name is kept lower-case (identifiers are case-insensitive). */
    record Tag(String name, Position at) implements Argument { }

    /**
     * A number with its quantifier applied ({@code 5K} is 5,120), read as unsigned 64 bits as Pigeonhole does: compare
     * with {@link Long#compareUnsigned}.
     */
    record Number(long value, Position at) implements Argument { }

    /**
     * A string or a list of strings, their escapes and multi-line dot-stuffing undone; {@code bracketed} tells
     * {@code ["a"]} from {@code "a"} (some arguments must be a single string). Encoded characters and variables are
     * left as written: what they mean depends on what the script requires.
     */
    record Strings(List<String> values, boolean bracketed, Position at) implements Argument {
        public Strings {
            values = List.copyOf(values);
        }
    }
}
