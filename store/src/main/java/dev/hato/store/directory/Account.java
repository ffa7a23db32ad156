package dev.hato.store.directory;

import org.jspecify.annotations.Nullable;

/**
 * A person's account. {@code address} is what others write to, {@code authId} is what its owner logs in with;
 * both are unique and stored lower-case. {@code passwordHash} is an encoded Argon2id hash (PHC string format), or
 * null when no local password is set.
 */
public record Account(long id, long domainId, String address, String authId, String displayName,
                      @Nullable String passwordHash) { }
