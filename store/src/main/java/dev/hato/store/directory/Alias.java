package dev.hato.store.directory;

import java.util.List;

/** An address of a local domain that expands to {@code targets} (accounts, other aliases, external addresses). */
public record Alias(String address, List<String> targets) {
    public Alias {
        targets = List.copyOf(targets);
    }
}
