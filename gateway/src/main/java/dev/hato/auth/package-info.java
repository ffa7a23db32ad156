/**
 * Authentication by auth ID: credentials, the outcome of a login, password hashing (Argon2id from BouncyCastle),
 * auth ID generation and SASL PLAIN decoding, shared by SMTP AUTH, POP3 and later IMAP and webmail.
 */
@NullMarked
package dev.hato.auth;

import org.jspecify.annotations.NullMarked;
