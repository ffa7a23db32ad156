package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.protocol.Action;
import dev.hato.smtp.command.SmtpCommand;
import reactor.core.publisher.Flux;

/**
 * AUTH (RFC 4954) on the submission role, over TLS: when it may be used at all, and the replies. The exchange itself
 * runs in the SASL engine through {@link SmtpAuthExchange}. One per connection, since an exchange spans several
 * lines: while {@link #inExchange()}, the session hands it every line.
 */
final class AuthHandler {

    private final SmtpContext session;
    private final SmtpSettings settings;
    /** AUTH over the SASL engine; while an exchange runs, lines are its responses. */
    private final SmtpAuthExchange sasl;
    private int authFailures;

    AuthHandler(SmtpContext session) {
        this.session = session;
        this.settings = session.settings;
        this.sasl = new SmtpAuthExchange(session.services.sasl(), session.connection.remoteIp());
    }

    /** Whether the next line is the client's response in an AUTH exchange. */
    boolean inExchange() {
        return sasl.active();
    }

    /** A response line over the line limit ends the exchange without a login. */
    Flux<Action> responseTooLong() {
        return authReply(sasl.lineTooLong());
    }

    /** The client's line while {@link #inExchange()}. */
    Flux<Action> saslResponse(String line) {
        return sasl.respond(line).flatMapMany(this::authReply);
    }

    /** The connection ended (a client that goes away in the middle of a SCRAM exchange has failed a login). */
    void abandonScram() {
        sasl.abandon();
    }

    Flux<Action> auth(SmtpCommand.Auth auth) {
        if (settings.role() != SmtpSettings.Role.SUBMISSION) {
            return session.error("503 5.5.1 AUTH is not available on this port; use the submission port");
        }
        if (!session.tls) {
            return session.error("538 5.7.11 Encryption required for requested authentication mechanism");
        }
        if (!session.extended()) {
            return session.error("503 5.5.1 Send EHLO first");
        }
        if (session.user != null) {
            return session.error("503 5.5.1 Already authenticated");
        }
        if (session.transaction() != null) {
            return session.error("503 5.5.1 AUTH not permitted during a mail transaction");
        }
        return sasl.start(auth.mechanism(), auth.initialResponse()).flatMapMany(this::authReply);
    }

    String mechanisms() {
        return sasl.mechanisms();
    }

    /** RFC 4954 §4 and §6: a 334 challenge, a login, or a refusal counted against the session's limits. */
    private Flux<Action> authReply(SmtpAuthExchange.Reply reply) {
        if (reply instanceof SmtpAuthExchange.Continue next) {
            return reply(next.line());
        }
        if (reply instanceof SmtpAuthExchange.LoggedIn loggedIn) {
            session.user = loggedIn.account();
            return reply(loggedIn.line());
        }
        SmtpAuthExchange.Refused refused = (SmtpAuthExchange.Refused) reply;
        return switch (refused.count()) {
            case ERROR -> session.error(refused.line());
            case AUTH_FAILURE -> authFailed(refused.line());
            case NONE -> reply(refused.line());
        };
    }

    private Flux<Action> authFailed(String text) {
        authFailures++;
        if (authFailures >= settings.maxAuthFailures()) {
            session.stop();
            return Flux.<Action>just(Action.line(text),
                    Action.line("421 4.7.0 " + settings.hostName() + " Too many failed authentications"),
                    Action.close());
        }
        return reply(text);
    }
}
