package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.2.3 LOGIN, and the end of every login whatever the mechanism (AUTHENTICATE ends here too): the
 * {@link ImapAuthExchange}'s reply as a continuation, the move to the authenticated state, or a refusal counted
 * against the session's limits.
 */
final class LoginHandler {

    private final ImapSession session;
    private final ImapServices services;
    private final ImapAuthExchange sasl;
    private int authFailures;

    LoginHandler(ImapSession session, ImapAuthExchange sasl) {
        this.session = session;
        this.services = session.services();
        this.sasl = sasl;
    }

    Flux<Action> login(ImapCommand.Login login) {
        String tag = login.tag();
        if (!session.tls()) {
            // RFC 3501 §6.2.3: LOGINDISABLED means LOGIN gets NO.
            return session.no(tag,
                    "[PRIVACYREQUIRED] Plain-text login is not allowed without TLS; use STARTTLS first");
        }
        return sasl.password(tag, login.userid(), login.password()).flatMapMany(this::authReply);
    }

    /** A {@code +} challenge, a login, or a tagged refusal (RFC 5530 codes) counted against the session's limits. */
    Flux<Action> authReply(ImapAuthExchange.Reply reply) {
        if (reply instanceof ImapAuthExchange.Continue next) {
            return ImapSession.line(next.line());
        }
        if (reply instanceof ImapAuthExchange.LoggedIn loggedIn) {
            return loggedIn(loggedIn.tag(), loggedIn.account());
        }
        ImapAuthExchange.Refused refused = (ImapAuthExchange.Refused) reply;
        return switch (refused.kind()) {
            case BAD -> session.bad(refused.tag(), refused.text());
            case NO -> session.no(refused.tag(), refused.text());
            case FAILED_LOGIN -> authFailed(refused.tag(), refused.text());
        };
    }

    private Flux<Action> loggedIn(String tag, Account user) {
        services.meters().counter("hato.imap.logins", "outcome", "success").increment();
        session.enter(new ImapState.Authenticated(user));
        session.framer().maxLiteralSize(session.settings().appendLimit());
        return ImapSession.line(tag + " OK [CAPABILITY " + session.capabilities() + "] Logged in");
    }

    private Flux<Action> authFailed(String tag, String text) {
        authFailures++;
        if (authFailures >= session.settings().maxAuthFailures()) {
            session.logout();
            return Flux.just(Action.line(tag + " NO " + text), Action.line("* BYE Too many failed logins"),
                    Action.close());
        }
        return ImapSession.line(tag + " NO " + text);
    }
}
