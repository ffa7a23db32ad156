package dev.hato.store.sieve;

import java.time.Instant;

/** One of a person's scripts: its name, its text, whether it is the one delivery runs, and when it last changed. */
public record SieveScript(long accountId, String name, String content, boolean active, Instant updatedAt) { }
