package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import reactor.core.publisher.Flux;

/** RFC 3501 §6.1 commands valid in any state: CAPABILITY, NOOP, LOGOUT; with CHECK (§6.4.1) and RFC 2971 ID. */
final class AnyStateHandler {

    private final ImapSession session;

    AnyStateHandler(ImapSession session) {
        this.session = session;
    }

    Flux<Action> capability(ImapCommand.Capability command) {
        return Flux.concat(ImapSession.line("* CAPABILITY " + session.capabilities()),
                session.done(command.tag(), "OK CAPABILITY completed", true));
    }

    /** NOOP, and CHECK (nothing to checkpoint): both a chance to announce changes (RFC 3501 §6.1.2). */
    Flux<Action> noop(String tag, String verb) {
        session.updates().markStale();
        return session.done(tag, "OK " + verb + " completed", true);
    }

    Flux<Action> logout(ImapCommand.Logout command) {
        session.logout();
        return Flux.just(Action.line("* BYE " + session.settings().hostName() + " Hato IMAP server signing off"),
                Action.line(command.tag() + " OK LOGOUT completed"), Action.close());
    }

    Flux<Action> id(ImapCommand.Id command) {
        // RFC 2971 §3.3: the server's own identification; what the client sent is not kept.
        return Flux.concat(ImapSession.line("* ID (\"name\" \"Hato\" \"version\" "
                + ResponseText.quoted(session.services().version()) + ")"),
                session.done(command.tag(), "OK ID completed", true));
    }
}
