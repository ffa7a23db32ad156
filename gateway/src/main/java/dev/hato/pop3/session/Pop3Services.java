package dev.hato.pop3.session;

import dev.hato.auth.sasl.SaslEngine;
import dev.hato.store.mail.MessageStore;

/**
 * What a POP3 session needs from the rest of Hato. {@code sasl} runs AUTH and USER/PASS logins (through the login
 * throttle and audit log); the mechanisms it offers are the ones POP3 advertises.
 */
public record Pop3Services(SaslEngine sasl, MessageStore store) { }
