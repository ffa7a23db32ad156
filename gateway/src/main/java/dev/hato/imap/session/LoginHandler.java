package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.2.3 LOGIN, and the end of every login whatever the mechanism (AUTHENTICATE ends here too): the
 * outcome's RFC 5530 response code, the move to the authenticated state, the count of failures that ends a session.
 * Both go through the session's {@link ImapAuthExchange}, the IMAP framing of the one SASL engine.
 */
final class LoginHandler {

    private final ImapSession session;
    private final ImapServices services;
    private final ImapAuthExchange exchange;
    private int authFailures;

    LoginHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
        this.exchange = new ImapAuthExchange(services.sasl(), session.connection().remoteIp(), services.meters());
    }

    ImapAuthExchange exchange() {
        return exchange;
    }

    Flux<Action> login(ImapCommand.Login command) {
        return login(command.tag(), command);
    }

    private Flux<Action> login(String tag, ImapCommand.Login login) {
        if (!session.tls()) {
            // RFC 3501 §6.2.3: LOGINDISABLED means LOGIN gets NO.
            return no(tag, "[PRIVACYREQUIRED] Plain-text login is not allowed without TLS; use STARTTLS first");
        }
        return exchange.password(tag, login.userid(), login.password()).flatMapMany(this::reply);
    }

    /** A {@code +} challenge, a login, or a tagged refusal (RFC 5530 codes) counted against the session's limits. */
    Flux<Action> reply(ImapAuthExchange.Reply reply) {
        if (reply instanceof ImapAuthExchange.Continue next) {
            return line(next.line());
        }
        if (reply instanceof ImapAuthExchange.LoggedIn loggedIn) {
            return loggedIn(loggedIn.tag(), loggedIn.account());
        }
        ImapAuthExchange.Refused refused = (ImapAuthExchange.Refused) reply;
        return switch (refused.kind()) {
            case BAD -> session.bad(refused.tag(), refused.text());
            case NO -> no(refused.tag(), refused.text());
            case FAILED_LOGIN -> authFailed(refused.tag(), refused.text());
        };
    }

    Flux<Action> loggedIn(String tag, Account user) {
        services.meters().counter("hato.imap.logins", "outcome", "success").increment();
        session.enter(new ImapState.Authenticated(user));
        session.framer().maxLiteralSize(session.settings().appendLimit());
        return line(tag + " OK [CAPABILITY " + session.capabilities() + "] Logged in");
    }

    Flux<Action> authFailed(String tag, String text) {
        authFailures++;
        if (authFailures >= session.settings().maxAuthFailures()) {
            session.logout();
            return Flux.just(Action.line(tag + " NO " + text), Action.line("* BYE Too many failed logins"),
                    Action.close());
        }
        return line(tag + " NO " + text);
    }

    private Flux<Action> no(String tag, String text) {
        return session.no(tag, text);
    }

    private static Flux<Action> line(String text) {
        return ImapSession.line(text);
    }
}
