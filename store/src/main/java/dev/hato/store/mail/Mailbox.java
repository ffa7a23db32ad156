package dev.hato.store.mail;

/** A folder of one account; names use {@code /} as hierarchy delimiter, {@code INBOX} is created with the account. */
public record Mailbox(long id, long accountId, String name, long uidValidity, long uidNext, long highestModseq) { }
