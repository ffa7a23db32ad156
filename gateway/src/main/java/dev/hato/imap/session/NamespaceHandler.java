package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import reactor.core.publisher.Flux;

/** RFC 2342 NAMESPACE: one personal namespace, no prefix, "/" as the hierarchy delimiter. */
final class NamespaceHandler {

    private final ImapSession session;

    NamespaceHandler(ImapSession session) {
        this.session = session;
    }

    Flux<Action> namespace(ImapCommand.Namespace command) {
        return Flux.concat(ImapSession.line("* NAMESPACE ((\"\" \"/\")) NIL NIL"),
                session.done(command.tag(), "OK NAMESPACE completed", true));
    }
}
