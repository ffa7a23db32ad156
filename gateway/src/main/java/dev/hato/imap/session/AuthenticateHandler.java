package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.2.2 AUTHENTICATE with RFC 4959 SASL-IR, over the session's {@link ImapAuthExchange} (the one SASL
 * engine). While an exchange waits for the client's next line ({@link #inExchange()}), the session hands every line
 * here; the login ends in {@link LoginHandler}.
 */
final class AuthenticateHandler {

    private final ImapSession session;
    private final LoginHandler login;

    AuthenticateHandler(ImapSession session, LoginHandler login) {
        this.session = session;
        this.login = login;
    }

    /** Whether an exchange waits for the client's next line. */
    boolean inExchange() {
        return login.exchange().active();
    }

    Flux<Action> authenticate(ImapCommand.Authenticate command) {
        if (!session.tls()) {
            return session.no(command.tag(),
                    "[PRIVACYREQUIRED] Authentication is not allowed without TLS; use STARTTLS first");
        }
        return login.exchange().start(command.tag(), command.mechanism(), command.initialResponse())
                .flatMapMany(login::reply);
    }

    /** A line from the client while {@link #inExchange()}: its SASL response. */
    Flux<Action> saslResponse(String response) {
        return login.exchange().respond(response).flatMapMany(login::reply);
    }

    /** The framer refused a line in the middle of an exchange. */
    Flux<Action> lineTooLong() {
        return login.reply(login.exchange().lineTooLong());
    }

    /** The connection ended in the middle of an exchange (a SCRAM exchange then counts as a failed login). */
    void abandon() {
        login.exchange().abandon();
    }
}
