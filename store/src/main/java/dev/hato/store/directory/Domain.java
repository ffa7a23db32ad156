package dev.hato.store.directory;

/** A mail domain served locally. {@code name} is stored lower-case. */
public record Domain(long id, String name) { }
