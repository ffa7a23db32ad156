package dev.hato.sieve.grammar;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A command as written (RFC 5228 §8.2: {@code command = identifier arguments (";" / block)}): its name lower-case, its
 * arguments, the test or test list that ends them (control commands: {@code if}), and its block, or null when it
 * ended with {@code ;}.
 */
public record Command(String name, List<Argument> arguments, List<Test> tests, boolean testList,
                      @Nullable List<Command> block, Position at) {
    public Command {
        arguments = List.copyOf(arguments);
        tests = List.copyOf(tests);
        block = block == null ? null : List.copyOf(block);
    }
}
