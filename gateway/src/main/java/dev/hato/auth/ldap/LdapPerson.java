package dev.hato.auth.ldap;

import org.jspecify.annotations.Nullable;

/**
 * A person listed from the directory ({@link LdapCredentialSource#people()}): values as stored in LDAP, not yet
 * normalised; {@code address} and {@code displayName} are null when the entry lacks the attribute.
 */
public record LdapPerson(String authId, @Nullable String address, @Nullable String displayName) { }
