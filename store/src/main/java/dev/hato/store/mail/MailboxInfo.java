package dev.hato.store.mail;

import org.jspecify.annotations.Nullable;

/**
 * A mailbox as IMAP lists and selects it. {@code specialUse} is an RFC 6154 attribute such as {@code \Sent}, or
 * null. {@code firstRecentUid}: messages with a UID at or above it have not been claimed as \Recent by a session.
 */
public record MailboxInfo(long id, long accountId, String name, long uidValidity, long uidNext, long highestModseq,
                          @Nullable String specialUse, long firstRecentUid) { }
