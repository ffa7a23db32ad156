package dev.hato.store.directory;

import org.jspecify.annotations.Nullable;

/** What {@link Directory#addAccount} needs; address and auth ID already validated and lower-cased by the caller. */
public record NewAccount(String address, String authId, String displayName, @Nullable String passwordHash) { }
