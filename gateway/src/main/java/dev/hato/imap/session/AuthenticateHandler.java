package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.2.2 AUTHENTICATE with RFC 4959 SASL-IR, over the one SASL engine through {@link ImapAuthExchange}.
 * While an exchange waits for the client's next line ({@link #inExchange()}), the session hands every line here; the
 * login ends in {@link LoginHandler}.
 */
final class AuthenticateHandler {

    private final ImapSession session;
    private final LoginHandler login;
    /** AUTHENTICATE and LOGIN over the SASL engine; while an exchange runs, lines are its responses. */
    private final ImapAuthExchange sasl;

    AuthenticateHandler(ImapSession session, LoginHandler login, ImapAuthExchange sasl) {
        this.session = session;
        this.login = login;
        this.sasl = sasl;
    }

    /** The {@code AUTH=} capabilities offered before login over TLS. */
    List<String> capabilities() {
        return sasl.capabilities();
    }

    /** Whether an exchange waits for the client's next line. */
    boolean inExchange() {
        return sasl.active();
    }

    Flux<Action> authenticate(ImapCommand.Authenticate authenticate) {
        String tag = authenticate.tag();
        if (!session.tls()) {
            return session.no(tag,
                    "[PRIVACYREQUIRED] Authentication is not allowed without TLS; use STARTTLS first");
        }
        return sasl.start(tag, authenticate.mechanism(), authenticate.initialResponse())
                .flatMapMany(login::authReply);
    }

    /** The client's line while {@link #inExchange()}. */
    Flux<Action> respond(String line) {
        return sasl.respond(line).flatMapMany(login::authReply);
    }

    /** A line over the limit ends the exchange. */
    Flux<Action> lineTooLong() {
        return login.authReply(sasl.lineTooLong());
    }

    /** A client that goes away in the middle of a SCRAM exchange has failed a login. */
    void abandon() {
        sasl.abandon();
    }
}
