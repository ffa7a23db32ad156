package dev.hato.imap.session;

import dev.hato.maillog.MailEvent;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes;
import java.util.List;

/**
 * What an IMAP session tells the mail log: each message an APPEND (or MULTIAPPEND) stored, once the store committed
 * it, with the account (its id, address and the auth ID it logged in with), the mailbox, the UID, the size and the
 * client. Messages put there by a client are part of the "did it arrive?" story (a draft, a copy in Sent, a
 * migration); COPY and MOVE only move what is already there and are not logged. Never content, never credentials.
 */
final class ImapMailLog {

    private ImapMailLog() { }

    /** {@code results} (one per message, in order) were stored in {@code mailbox}; {@code sizes} their octets. */
    static void appended(ImapSession session, Account user, MailboxInfo mailbox, List<Mailboxes.AppendResult> results,
                         List<Long> sizes) {
        ImapServices services = session.services();
        for (int i = 0; i < results.size(); i++) {
            services.mailLog().record(MailEvent.of(services.clock().instant(), MailEvent.APPENDED, null, null,
                    "account", user.id(),
                    "address", user.address(),
                    "auth", user.authId(),
                    "mailbox", mailbox.name(),
                    "mailbox_id", mailbox.id(),
                    "uid", results.get(i).uid(),
                    "size", sizes.get(i),
                    "client", session.connection().remoteIp(),
                    "tls", session.tls()));
        }
    }
}
