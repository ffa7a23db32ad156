package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import reactor.core.publisher.Flux;

/** RFC 3501 §6.3.6 and §6.3.7 SUBSCRIBE and UNSUBSCRIBE. */
final class SubscribeHandler {

    private final ImapSession session;
    private final ImapServices services;

    SubscribeHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> subscribe(ImapCommand.Subscribe subscribe) {
        String tag = subscribe.tag();
        // an invalid name can be subscribed to no more than created; unsubscribing it finds nothing
        String name = subscribe.subscribe() ? MailboxNames.toMake(subscribe.mailbox(), session.utf8())
                : MailboxNames.fromWire(subscribe.mailbox(), session.utf8());
        return session.guarded(tag, services.mailboxes().subscribe(session.user().id(), name, subscribe.subscribe())
                .thenMany(session.done(tag, "OK " + (subscribe.subscribe() ? "SUBSCRIBE" : "UNSUBSCRIBE")
                        + " completed", true)));
    }
}
