package dev.hato.smtp.session;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import reactor.core.publisher.Flux;

/** The session's answer to one kind of command: it reads and changes the connection's state, and replies. */
@FunctionalInterface
interface CommandHandler<C extends SmtpCommand> {

    Flux<Action> handle(SmtpContext session, C command);
}
