package dev.hato.sieve.grammar;

import java.util.List;

/** A whole script as written: its commands in order (RFC 5228 §8.2: {@code start = commands}). */
public record Script(List<Command> commands) {
    public Script {
        commands = List.copyOf(commands);
    }
}
