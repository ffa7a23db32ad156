/**
 * The SMTP command grammar: one record per command ({@link dev.hato.smtp.command.SmtpCommand}) and the parser that
 * turns one complete command line into one of them, including reverse- and forward-path syntax and the RFC 5321
 * length limits. Syntax errors are values carrying the reply to send.
 */
@NullMarked
package dev.hato.smtp.command;

import org.jspecify.annotations.NullMarked;
