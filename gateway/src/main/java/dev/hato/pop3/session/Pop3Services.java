package dev.hato.pop3.session;

import dev.hato.auth.Authenticator;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.Mailboxes;
import org.jspecify.annotations.Nullable;

/**
 * What a POP3 session needs from the rest of Hato. {@code tokens} verifies bearer tokens (OAUTHBEARER, XOAUTH2);
 * null when no token issuer is configured, and then those mechanisms are not offered. The maildrop is the INBOX of
 * {@code mailboxes} (listed, leased, expunged there); message octets are read from {@code blobs}.
 */
public record Pop3Services(Authenticator authenticator, @Nullable Authenticator tokens, Mailboxes mailboxes,
                           Blobs blobs) { }
