package dev.hato.imap.session;

import dev.hato.imap.fetch.ObjectIds;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import reactor.core.publisher.Flux;

/** RFC 3501 §6.3.3-§6.3.5 CREATE (with the RFC 8474 §4.1 MAILBOXID response code), DELETE and RENAME. */
final class MailboxHandler {

    private final ImapSession session;
    private final ImapServices services;

    MailboxHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> create(ImapCommand.Create create) {
        String tag = create.tag();
        String name = MailboxNames.forCreate(create.mailbox(), session.utf8());
        return session.guarded(tag, services.mailboxes().create(session.user().id(), name, null)
                .flatMapMany(created -> session.done(tag, "OK [MAILBOXID (" + ObjectIds.mailboxId(created.id())
                        + ")] CREATE completed", true)));
    }

    Flux<Action> delete(ImapCommand.Delete command) {
        return delete(session.user(), command);
    }

    private Flux<Action> delete(Account user, ImapCommand.Delete delete) {
        String name = MailboxNames.fromWire(delete.mailbox(), session.utf8());
        SelectedMailbox mailbox = session.selected();
        if (mailbox != null && mailbox.info().name().equals(name)) {
            return session.no(delete.tag(), "[INUSE] Cannot delete the selected mailbox; close it first");
        }
        return session.guarded(delete.tag(), services.mailboxes().delete(user.id(), name)
                .thenMany(session.done(delete.tag(), "OK DELETE completed", true)));
    }

    Flux<Action> rename(ImapCommand.Rename rename) {
        String tag = rename.tag();
        String from = MailboxNames.fromWire(rename.from(), session.utf8());
        String to = MailboxNames.forCreate(rename.to(), session.utf8());
        return session.guarded(tag, services.mailboxes().rename(session.user().id(), from, to)
                .thenMany(session.done(tag, "OK RENAME completed", true)));
    }
}
