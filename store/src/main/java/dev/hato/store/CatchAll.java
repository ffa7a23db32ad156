package dev.hato.store;

/** A local domain whose unknown addresses all go to {@code target}. */
public record CatchAll(String domain, String target) { }
