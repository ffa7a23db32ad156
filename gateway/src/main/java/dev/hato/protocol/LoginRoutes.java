package dev.hato.protocol;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Where a person who just logged in is served (issue 17): by Hato, or by the old system their route names, in which
 * case the session logs in there for them and hands the connection over ({@link Action.Splice}).
 */
public interface LoginRoutes {

    /** The protocols a login can be proxied for. */
    enum Service { IMAP, POP3 }

    /** Hato serves everyone: no login is proxied. */
    LoginRoutes LOCAL = (service, accountId, address, password) -> Mono.empty();

    /**
     * Empty when Hato serves the account; otherwise a connection to the old system logged in as the person (with
     * the system's master user, else with {@code password}, the one the client gave Hato when it gave one), or why
     * there is none.
     */
    Mono<Proxied> login(Service service, long accountId, String address, @Nullable String password);

    /** The outcome of logging in on the old system. */
    sealed interface Proxied permits Connected, Failed { }

    /**
     * Logged in on the old system; {@code capabilities}: IMAP's after login there (without the word CAPABILITY),
     * empty for POP3.
     */
    record Connected(Backend backend, String capabilities) implements Proxied { }

    /** No connection: {@code reason} is for the log (the client is told to try again later). */
    record Failed(String reason) implements Proxied { }
}
