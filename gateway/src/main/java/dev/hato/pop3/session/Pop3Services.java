package dev.hato.pop3.session;

import dev.hato.auth.Authenticator;
import dev.hato.store.MessageStore;

/** What a POP3 session needs from the rest of Hato. */
public record Pop3Services(Authenticator authenticator, MessageStore store) { }
