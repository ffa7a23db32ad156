package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.protocol.LoginRoutes;
import dev.hato.store.directory.Account;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.2.3 LOGIN, and the end of every login whatever the mechanism (AUTHENTICATE ends here too): the
 * {@link ImapAuthExchange}'s reply as a continuation, the move to the authenticated state, or a refusal counted
 * against the session's limits. A person still served by an old system (issue 17) is logged in there and the
 * connection handed over: the tagged OK carries the old server's capabilities, as RFC 3501 §7.1 lets it.
 */
final class LoginHandler {

    private static final Logger LOG = LoggerFactory.getLogger(LoginHandler.class);

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
            return loggedIn(loggedIn.tag(), loggedIn.account(), loggedIn.password());
        }
        ImapAuthExchange.Refused refused = (ImapAuthExchange.Refused) reply;
        return switch (refused.kind()) {
            case BAD -> session.bad(refused.tag(), refused.text());
            case NO -> session.no(refused.tag(), refused.text());
            case FAILED_LOGIN -> authFailed(refused.tag(), refused.text());
        };
    }

    private Flux<Action> loggedIn(String tag, Account user, @Nullable String password) {
        services.meters().counter("hato.imap.logins", "outcome", "success").increment();
        return services.logins().login(LoginRoutes.Service.IMAP, user.id(), user.address(), password)
                .flatMapMany(proxied -> proxied(tag, user, proxied))
                .switchIfEmpty(Flux.defer(() -> local(tag, user)));
    }

    private Flux<Action> proxied(String tag, Account user, LoginRoutes.Proxied proxied) {
        if (proxied instanceof LoginRoutes.Connected connected) {
            session.logout();
            String reply = tag + " OK [CAPABILITY " + connected.capabilities() + "] Logged in\r\n";
            // Cancelled before the edge took it (the client went away): the old server's connection is closed.
            return Flux.<Action>just(new Action.Splice(ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)),
                    connected.backend(), session.takeUnread())).doOnCancel(connected.backend()::close);
        }
        LOG.warn("IMAP login of {} could not be passed on to the old system: {}", user.address(),
                ((LoginRoutes.Failed) proxied).reason());
        return session.no(tag, "[UNAVAILABLE] Your mailbox is on the old mail system, which cannot be reached"
                + " now; try again later");
    }

    private Flux<Action> local(String tag, Account user) {
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
