package dev.hato.store.directory;

/**
 * One entry of a domain's address list: what colleagues may see of a person, their display name and address. No
 * auth ID: the login name is the key to the account and is never shown to others.
 */
public record ListedPerson(String displayName, String address) { }
