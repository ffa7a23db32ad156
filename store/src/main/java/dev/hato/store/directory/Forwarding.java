package dev.hato.store.directory;

import java.util.List;

/** An account whose mail is forwarded to {@code targets}; with {@code keepCopy} it also keeps a copy. */
public record Forwarding(String address, String authId, List<String> targets, boolean keepCopy) {
    public Forwarding {
        targets = List.copyOf(targets);
    }
}
