package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.multiline;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import java.util.List;
import reactor.core.publisher.Flux;

/** HELP (RFC 5321 §4.1.1.8): the commands available now. */
final class HelpHandler implements CommandHandler<SmtpCommand.Help> {

    @Override
    public Flux<Action> handle(SmtpContext session, SmtpCommand.Help command) {
        String commands = "EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP"
                + (session.startTlsAvailable() ? " STARTTLS" : "") + (session.authAvailable() ? " AUTH" : "");
        return multiline(214, List.of("2.0.0 Commands: " + commands, "2.0.0 See RFC 5321"));
    }
}
