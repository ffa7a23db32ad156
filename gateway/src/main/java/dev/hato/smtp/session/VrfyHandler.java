package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import reactor.core.publisher.Flux;

/** VRFY (RFC 5321 §3.5.3): never verifies (no directory harvesting), but says mail will be tried. */
final class VrfyHandler implements CommandHandler<SmtpCommand.Vrfy> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Vrfy command) {
        // RFC 5321 §3.5.3: 252 when the server will not verify but will accept mail for the address.
        return reply("252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery");
    }
}
