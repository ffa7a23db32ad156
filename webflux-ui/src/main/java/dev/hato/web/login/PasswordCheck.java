package dev.hato.web.login;

import reactor.core.publisher.Mono;

/**
 * Declared here, implemented by the gateway: checks a webmail login through the same credential sources, login
 * throttle, lockout and audit log as the mail protocols. Never errors and never blocks the caller's thread (password
 * hashing runs elsewhere); every failure is a {@link Result}.
 */
public interface PasswordCheck {

    /**
     * @param login         what was typed as the user name (an auth ID, or by mistake an address)
     * @param clientAddress the client's IP address, for the per-address throttle and lockout and the audit log
     */
    Mono<Result> check(String login, String password, String clientAddress);

    /**
     * The same check, recorded in the audit log under {@code protocol} (CardDAV's logins are not the webmail's);
     * this one where the implementation keeps no such record.
     */
    default PasswordCheck forProtocol(String protocol) {
        return this;
    }

    /** How a login went. */
    sealed interface Result permits Success, Rejected, Unavailable { }

    /** The person behind the auth ID. */
    record Success(WebUser user) implements Result { }

    /**
     * Wrong auth ID or password; {@code addressGiven}: the login looked like an e-mail address, so the page can say
     * to use the auth ID (said for every address-shaped login, revealing nothing about which exist).
     */
    record Rejected(boolean addressGiven) implements Result { }

    /** The credential source could not answer, or this client is locked out for a while: try again later. */
    record Unavailable() implements Result { }
}
