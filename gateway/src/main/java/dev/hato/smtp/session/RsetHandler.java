package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import reactor.core.publisher.Flux;

/** RSET (RFC 5321 §4.1.1.5): the transaction is dropped, the greeting stays. */
final class RsetHandler implements CommandHandler<SmtpCommand.Rset> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Rset command) {
        session.discardTransaction();
        return reply("250 2.0.0 OK");
    }
}
