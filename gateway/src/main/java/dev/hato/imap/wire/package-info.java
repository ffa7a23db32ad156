/**
 * The IMAP wire layer: {@link dev.hato.imap.wire.ImapFramer} cuts command lines and their literals (RFC 3501 §4.3,
 * RFC 7888) out of a byte stream as {@link dev.hato.imap.wire.ImapDecoded} values, and
 * {@link dev.hato.imap.wire.ImapCommandParser} turns one complete frame into an
 * {@link dev.hato.imap.wire.ImapCommand} (RFC 3501 §9), the arguments of each command family parsed by their own
 * class ({@code MailboxArguments}, {@code AppendArguments}, {@code SearchArguments}, {@code FetchArguments},
 * {@code StoreArguments}) over the tokens of one {@code ImapCursor}. Plain Java on {@link java.nio.ByteBuffer}; no network,
 * session or store types.
 */
@NullMarked
package dev.hato.imap.wire;

import org.jspecify.annotations.NullMarked;
