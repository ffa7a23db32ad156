package dev.hato.store.directory;

/** A local domain whose unknown addresses all go to {@code target}. */
public record CatchAll(String domain, String target) { }
