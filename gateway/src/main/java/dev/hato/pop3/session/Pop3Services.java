package dev.hato.pop3.session;

import dev.hato.auth.Authenticator;
import dev.hato.store.mail.MessageStore;
import org.jspecify.annotations.Nullable;

/**
 * What a POP3 session needs from the rest of Hato. {@code tokens} verifies bearer tokens (OAUTHBEARER, XOAUTH2);
 * null when no token issuer is configured, and then those mechanisms are not offered.
 */
public record Pop3Services(Authenticator authenticator, @Nullable Authenticator tokens, MessageStore store) { }
