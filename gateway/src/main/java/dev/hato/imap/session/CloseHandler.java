package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** RFC 3501 §6.4.2 CLOSE and RFC 3691 UNSELECT: back to the authenticated state. */
final class CloseHandler {

    private final ImapSession session;
    private final ImapServices services;

    CloseHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> close(ImapCommand.Close command) {
        return session.guarded(command.tag(), close(session.user(), session.mailbox(), command.tag()));
    }

    Flux<Action> unselect(ImapCommand.Unselect command) {
        session.unselect();
        return ImapSession.line(command.tag() + " OK UNSELECT completed");
    }

    /** RFC 3501 §6.4.2: CLOSE expunges silently unless the mailbox is read-only. */
    private Flux<Action> close(Account user, SelectedMailbox mailbox, String tag) {
        List<Long> deleted = mailbox.readOnly() ? List.of() : ExpungeHandler.deletedUids(mailbox, null);
        session.unselect();
        Mono<Void> expunge = deleted.isEmpty() ? Mono.empty()
                : services.mailboxes().expunge(user.id(), mailbox.id(), deleted);
        return expunge.thenMany(ImapSession.line(tag + " OK CLOSE completed"));
    }
}
