/**
 * The contract between a protocol core (SMTP, POP3, later IMAP) and the network edge: a session consumes input
 * bytes and answers with {@link dev.hato.protocol.Action}s. Plain Java and Reactor types only; the edge is the one
 * place that knows sockets.
 */
@NullMarked
package dev.hato.protocol;

import org.jspecify.annotations.NullMarked;
