package dev.hato.sieve.grammar;

import java.util.List;

/**
 * A test as written (RFC 5228 §8.2: {@code test = identifier arguments}): its name lower-case, its arguments, and the
 * tests it takes: one ({@code not}), a parenthesised list ({@code testList}: {@code allof}, {@code anyof}) or none.
 */
public record Test(String name, List<Argument> arguments, List<Test> tests, boolean testList, Position at) {
    public Test {
        arguments = List.copyOf(arguments);
        tests = List.copyOf(tests);
    }
}
