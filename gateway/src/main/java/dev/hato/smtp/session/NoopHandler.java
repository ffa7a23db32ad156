package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import reactor.core.publisher.Flux;

/** NOOP (RFC 5321 §4.1.1.9). */
final class NoopHandler implements CommandHandler<SmtpCommand.Noop> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Noop command) {
        return reply("250 2.0.0 OK");
    }
}
