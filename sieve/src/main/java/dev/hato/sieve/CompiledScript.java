package dev.hato.sieve;

import java.util.List;
import java.util.Set;

/**
 * A script checked and resolved, ready to run for any number of messages at once: immutable, so one compiled form
 * is shared by every delivery thread (ADR 0011: cached by the script's digest, compiled again from the stored text
 * after a restart).
 *
 * @param nodes        the commands after the {@code require}s
 * @param capabilities what the script required, and the comparators every script has
 */
public record CompiledScript(List<Node> nodes, Set<String> capabilities) {
    public CompiledScript {
        nodes = List.copyOf(nodes);
        capabilities = Set.copyOf(capabilities);
    }
}
