package dev.hato.smtp.session;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import reactor.core.publisher.Flux;

/** EXPN (RFC 5321 §3.5.2): lists are not expanded for anyone who asks. */
final class ExpnHandler implements CommandHandler<SmtpCommand.Expn> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Expn command) {
        return session.error("502 5.5.1 EXPN is not available");
    }
}
