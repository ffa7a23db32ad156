package dev.hato.imap.session;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Credentials;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.Account;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.2.3 LOGIN, and the end of every login whatever the mechanism (AUTHENTICATE ends here too): the
 * outcome's RFC 5530 response code, the move to the authenticated state, the count of failures that ends a session.
 */
final class LoginHandler {

    private final ImapSession session;
    private final ImapServices services;
    private int authFailures;

    LoginHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> login(ImapCommand.Login command) {
        return login(command.tag(), command);
    }

    private Flux<Action> login(String tag, ImapCommand.Login login) {
        if (!session.tls()) {
            // RFC 3501 §6.2.3: LOGINDISABLED means LOGIN gets NO.
            return no(tag, "[PRIVACYREQUIRED] Plain-text login is not allowed without TLS; use STARTTLS first");
        }
        return verify(tag, login.userid(), login.password());
    }

    Flux<Action> verify(String tag, String login, String password) {
        Credentials credentials = new Credentials(login, password, "imap", session.connection().remoteIp());
        return services.authenticator().authenticate(credentials).flatMapMany(outcome -> outcome(tag, outcome));
    }

    /** RFC 5530 response codes for a finished login, whatever the mechanism. */
    Flux<Action> outcome(String tag, AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Success success) {
            return loggedIn(tag, success.account());
        }
        services.meters().counter("hato.imap.logins", "outcome", outcome.getClass().getSimpleName().toLowerCase(
                java.util.Locale.ROOT)).increment();
        if (outcome instanceof AuthOutcome.Unavailable) {
            return no(tag, "[UNAVAILABLE] Authentication service temporarily unavailable, try again later");
        }
        if (outcome instanceof AuthOutcome.Rejected rejected && rejected.addressGiven()) {
            // Said for every address-shaped login, so it reveals nothing about which addresses or auth IDs exist.
            return authFailed(tag, "[AUTHENTICATIONFAILED] Authentication failed: log in with your auth ID, "
                    + "not your e-mail address");
        }
        return authFailed(tag, "[AUTHENTICATIONFAILED] Authentication failed");
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
