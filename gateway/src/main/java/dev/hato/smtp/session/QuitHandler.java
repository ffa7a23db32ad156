package dev.hato.smtp.session;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import reactor.core.publisher.Flux;

/** QUIT (RFC 5321 §4.1.1.10): 221, and the server closes the connection. */
final class QuitHandler implements CommandHandler<SmtpCommand.Quit> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Quit command) {
        session.stop();
        return Flux.<Action>just(Action.line("221 2.0.0 " + session.settings.hostName() + " closing connection"),
                Action.close());
    }
}
