/**
 * The POP3 command grammar: one record per command ({@link dev.hato.pop3.command.Pop3Command}) and the parser that
 * turns one complete command line into one of them. Syntax errors are values carrying the "-ERR" text.
 */
@NullMarked
package dev.hato.pop3.command;

import org.jspecify.annotations.NullMarked;
