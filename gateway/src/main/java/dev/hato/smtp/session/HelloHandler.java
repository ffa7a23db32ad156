package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.multiline;
import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * EHLO and HELO (RFC 5321 §4.1.1.1): a greeting ends any transaction; EHLO lists the extensions, which depend on
 * the role, TLS and login.
 */
final class HelloHandler {

    private HelloHandler() { }

    static Flux<Action> ehlo(SmtpContext session, SmtpCommand.Ehlo command) {
        return greet(session, command.domain(), true);
    }

    static Flux<Action> helo(SmtpContext session, SmtpCommand.Helo command) {
        return greet(session, command.domain(), false);
    }

    private static Flux<Action> greet(SmtpContext session, String domain, boolean ehlo) {
        SmtpSettings settings = session.settings;
        session.discardTransaction();
        session.state = new SmtpState.Greeted(domain, ehlo);
        if (!ehlo) {
            return reply("250 " + settings.hostName());
        }
        List<String> lines = new ArrayList<>();
        lines.add(settings.hostName() + " Hello " + domain + " [" + session.connection.remoteIp() + "]");
        lines.add("PIPELINING");
        lines.add("SIZE " + settings.maxMessageSize());
        lines.add("8BITMIME");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("CHUNKING");
        lines.add("BINARYMIME");
        lines.add("DSN");
        lines.add("SMTPUTF8");
        if (session.startTlsAvailable()) {
            lines.add("STARTTLS");
        }
        if (session.authAvailable()) {
            lines.add("AUTH " + session.auth().mechanisms());
        }
        return multiline(250, lines);
    }
}
