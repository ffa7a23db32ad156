/**
 * The IMAP conversation (RFC 3501 and the extensions Hato offers): the state machine of one connection
 * ({@link dev.hato.imap.session.ImapSession}, its state an explicit {@link dev.hato.imap.session.ImapState}), one
 * handler per command or command family behind the session's dispatch table ({@code FetchHandler},
 * {@code StoreHandler}, {@code SelectHandler}, ...), its settings and the services it calls. Authentication by auth ID,
 * mailbox commands over {@link dev.hato.store.mail.Mailboxes}, and a per-session snapshot of the selected mailbox that
 * turns other sessions' changes into untagged responses where RFC 3501 §7.4.1 and §5.2 allow them. No sockets.
 */
@NullMarked
package dev.hato.imap.session;

import org.jspecify.annotations.NullMarked;
