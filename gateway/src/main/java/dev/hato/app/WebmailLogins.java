package dev.hato.app;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.store.directory.Account;
import dev.hato.web.login.PasswordCheck;
import dev.hato.web.login.WebUser;
import reactor.core.publisher.Mono;

/**
 * Webmail logins through the mail protocols' own authenticator (the guarded one: credential source of the
 * account's domain, verifier caches, circuit breakers, login throttle and lockout per auth ID and client address, audit
 * log with protocol {@code webmail}, or {@code carddav} for CardDAV's); password hashing runs on its bounded scheduler, never on an event loop.
 */
final class WebmailLogins implements PasswordCheck {

    static final String PROTOCOL = "webmail";

    private final Authenticator authenticator;
    private final String protocol;

    WebmailLogins(Authenticator authenticator) {
        this(authenticator, PROTOCOL);
    }

    private WebmailLogins(Authenticator authenticator, String protocol) {
        this.authenticator = authenticator;
        this.protocol = protocol;
    }

    @Override
    public Mono<Result> check(String login, String password, String clientAddress) {
        return authenticator.authenticate(new Credentials(login, password, protocol, clientAddress))
                .map(WebmailLogins::result);
    }

    @Override
    public PasswordCheck forProtocol(String name) {
        return new WebmailLogins(authenticator, name);
    }

    private static Result result(AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Success success) {
            Account account = success.account();
            return new Success(new WebUser(account.id(), account.authId(), account.address(),
                    account.displayName()));
        }
        if (outcome instanceof AuthOutcome.Rejected rejected) {
            return new Rejected(rejected.addressGiven());
        }
        return new Unavailable();
    }
}
