package dev.hato.legacy;

import dev.hato.protocol.Backend;
import dev.hato.protocol.BackendConnector;
import dev.hato.protocol.LoginRoutes;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.Route;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Logins of people whose route names an old system (issue 17): Hato has verified them already; this logs in on the
 * old system's IMAP or POP3 server for them, and the session hands the client's connection over. The old server is
 * asked for SASL PLAIN (RFC 4616): as its master user acting for the person (authorization identity = their login
 * there) when the system has one, else with the password the client gave Hato. The person's login there is the one
 * recorded for them ({@code hato legacy login}), else their address. TLS to the old server is as configured for it,
 * its certificate checked against the system's trusted certificates and its host name.
 */
public final class LegacyProxy implements LoginRoutes, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LegacyProxy.class);

    /** Lines read while logging in (untagged data before a tagged reply) before the old server is given up on. */
    private static final int MAX_LINES = 100;

    private final LegacyBackends backends;
    private final MasterPasswords masterPasswords;
    private final BackendConnector connector;
    private final Scheduler blocking;
    private final Map<String, Trust> trust = new ConcurrentHashMap<>();
    /** Every connection handed to an old server, with the person and the system it is for. */
    private final Map<Backend, Spliced> spliced = new ConcurrentHashMap<>();
    private final Duration routeCheck;
    private final LoginListener listener;
    private @Nullable Disposable watching;

    /** Told of every login passed on to an old server, once the old server accepted it. */
    @FunctionalInterface
    public interface LoginListener {
        /** Nothing to be told. */
        LoginListener NONE = (accountId, password) -> Mono.empty();

        /** {@code password}: what the client gave Hato, when its mechanism gives one (it is the old system's too). */
        Mono<Void> loggedIn(long accountId, @Nullable String password);
    }

    private record Spliced(long accountId, String backend) { }

    /**
     * {@code blocking}: where trust stores are read (once per system and certificate set). Every {@code routeCheck}
     * the routes of the people with proxied connections are read again (one query), and a connection whose person is
     * no longer routed to that system is closed: their client reconnects and is served as their route now says (a
     * cutover does not leave anyone on the old server until their client happens to reconnect). {@code listener}
     * is told of each login passed on (the background migrations start a person's migration there).
     */
    public LegacyProxy(LegacyBackends backends, MasterPasswords masterPasswords, BackendConnector connector,
                       Scheduler blocking, Duration routeCheck, LoginListener listener) {
        this.routeCheck = routeCheck;
        this.listener = listener;
        this.backends = backends;
        this.masterPasswords = masterPasswords;
        this.connector = connector;
        this.blocking = blocking;
    }

    private record Trust(@Nullable String pem, SSLContext context) { }

    /** The person's login there, and the credentials to give the old server: the master user's, else theirs. */
    private record Credentials(String authzid, String authcid, String password) {
        String plain() {
            return Base64.getEncoder().encodeToString((authzid + "\0" + authcid + "\0" + password)
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    @Override
    public Mono<Proxied> login(Service service, long accountId, String address, @Nullable String password) {
        return backends.route(accountId).filter(Route::isLegacy)
                .flatMap(route -> backends.find(route.backend())
                        .flatMap(backend -> backends.login(accountId).defaultIfEmpty(address)
                                .flatMap(login -> connect(service, accountId, backend, login, password)))
                        .switchIfEmpty(Mono.just(new Failed("the legacy system " + route.backend() + " is gone"))));
    }

    private Mono<Proxied> connect(Service service, long accountId, LegacyBackend backend, String login,
                                  @Nullable String password) {
        LegacyBackend.Server server = service == Service.IMAP ? backend.imap() : backend.pop3();
        if (server == null) {
            return Mono.just(new Failed("the legacy system " + backend.name() + " has no POP3 server"));
        }
        Credentials credentials;
        byte[] sealed = backend.sealedMasterPassword();
        if (sealed != null && backend.masterUser() != null) {
            try {
                credentials = new Credentials(login, backend.masterUser(), masterPasswords.open(backend.name(), sealed));
            } catch (IllegalStateException e) {
                return Mono.just(new Failed(e.getMessage()));
            }
        } else if (password != null) {
            credentials = new Credentials("", login, password);
        } else {
            return Mono.just(new Failed("the legacy system " + backend.name() + " has no master user, and the"
                    + " client logged in with a mechanism that gives no password (use LOGIN, PLAIN or USER/PASS)"));
        }
        String where = service.name() + " " + server;
        return trust(backend)
                .flatMap(context -> connector.connect(server.host(), server.port(),
                        server.tls() == LegacyBackend.Tls.IMPLICIT, context))
                .flatMap(connection -> (service == Service.IMAP
                        ? imap(connection, server.tls() == LegacyBackend.Tls.STARTTLS, credentials)
                        : pop3(connection, server.tls() == LegacyBackend.Tls.STARTTLS, credentials))
                        .map(capabilities -> (Proxied) new Connected(connection, capabilities))
                        .doOnNext(connected -> watch(connection, accountId, backend.name()))
                        .flatMap(connected -> listener.loggedIn(accountId, password)
                                .onErrorResume(error -> {
                                    LOG.warn("after the proxied login of account {}: {}", accountId, error.toString());
                                    return Mono.empty();
                                })
                                .thenReturn(connected))
                        .doOnError(error -> connection.close())
                        // the client went away while Hato logged in for it: nobody will splice this connection
                        .doOnCancel(connection::close))
                .onErrorResume(error -> Mono.just(new Failed(where + " of " + backend.name() + ": "
                        + (error.getMessage() == null ? error.toString() : error.getMessage()))));
    }

    private void watch(Backend connection, long accountId, String backend) {
        spliced.put(connection, new Spliced(accountId, backend));
        connection.whenClosed(() -> spliced.remove(connection));
        synchronized (this) {
            if (watching == null) {
                watching = Flux.interval(routeCheck, routeCheck)
                        .onBackpressureDrop()
                        .concatMap(tick -> closeMoved().onErrorResume(error -> {
                            LOG.warn("checking the routes of proxied connections failed: {}", error.toString());
                            return Mono.empty();
                        }), 1)
                        .subscribe();
            }
        }
    }

    /** Closes the proxied connections of people whose route no longer names the system they are connected to. */
    private Mono<Void> closeMoved() {
        if (spliced.isEmpty()) {
            return Mono.empty();
        }
        Map<Backend, Spliced> now = Map.copyOf(spliced);
        Set<Long> accounts = new HashSet<>();
        now.values().forEach(entry -> accounts.add(entry.accountId()));
        return backends.routes(accounts).doOnNext(routes -> now.forEach((connection, entry) -> {
            Route route = routes.get(entry.accountId());
            if (route == null || !route.isLegacy() || !entry.backend().equals(route.backend())) {
                LOG.info("closing a connection proxied to {} for account {}: their route is now {}", entry.backend(),
                        entry.accountId(), route == null ? "gone" : route.label());
                connection.close();
            }
        })).then();
    }

    /** Stops watching routes; proxied connections stay until they end. */
    @Override
    public synchronized void close() {
        if (watching != null) {
            watching.dispose();
            watching = null;
        }
    }

    private Mono<SSLContext> trust(LegacyBackend backend) {
        Trust known = trust.get(backend.name());
        if (known != null && java.util.Objects.equals(known.pem(), backend.trustPem())) {
            return Mono.just(known.context());
        }
        return Mono.fromCallable(() -> {
            SSLContext context = LegacyTls.context(backend);
            trust.put(backend.name(), new Trust(backend.trustPem(), context));
            return context;
        }).subscribeOn(blocking);
    }

    /**
     * RFC 3501 (RFC 9051): greeting, STARTTLS when configured, AUTHENTICATE PLAIN, and the capabilities after login
     * (from the tagged OK's response code, else from CAPABILITY).
     */
    private static Mono<String> imap(Backend server, boolean startTls, Credentials credentials) {
        Mono<Void> greeted = server.readLine().flatMap(greeting -> untagged(greeting, "OK")
                ? Mono.<Void>empty() : Mono.error(new ProxyLoginException("greeting " + greeting)));
        Mono<Void> secured = !startTls ? Mono.empty()
                : server.writeLine("P1 STARTTLS").then(tagged(server, "P1", new StringBuilder()))
                        .flatMap(reply -> ok(reply, "P1") ? server.startTls()
                                : Mono.error(new ProxyLoginException("STARTTLS refused: " + reply)));
        StringBuilder capabilities = new StringBuilder();
        Mono<Void> authenticated = server.writeLine("P2 AUTHENTICATE PLAIN").then(server.readLine())
                .flatMap(line -> line.startsWith("+")
                        ? server.writeLine(credentials.plain()).then(tagged(server, "P2", capabilities))
                        : Mono.just(line))
                .flatMap(reply -> {
                    if (!ok(reply, "P2")) {
                        return Mono.error(new ProxyLoginException("login of " + credentials.authzid()
                                + (credentials.authzid().isEmpty() ? credentials.authcid() : "") + " refused: "
                                + reply));
                    }
                    String code = responseCode(reply.substring("P2 OK".length()).trim(), "CAPABILITY");
                    if (code != null) {
                        capabilities.setLength(0);
                        capabilities.append(code);
                    }
                    return Mono.empty();
                });
        Mono<String> asked = Mono.defer(() -> capabilities.length() > 0 ? Mono.just(capabilities.toString())
                : server.writeLine("P3 CAPABILITY").then(tagged(server, "P3", capabilities))
                        .flatMap(reply -> ok(reply, "P3") && capabilities.length() > 0
                                ? Mono.just(capabilities.toString())
                                : Mono.error(new ProxyLoginException("CAPABILITY failed: " + reply))));
        return greeted.then(secured).then(authenticated).then(asked);
    }

    /** RFC 1939, RFC 2595 §4 (STLS), RFC 5034 (AUTH PLAIN). */
    private static Mono<String> pop3(Backend server, boolean startTls, Credentials credentials) {
        Mono<Void> greeted = expectOk(server, "greeting");
        Mono<Void> secured = !startTls ? Mono.empty()
                : server.writeLine("STLS").then(expectOk(server, "STLS")).then(server.startTls());
        Mono<Void> authenticated = server.writeLine("AUTH PLAIN").then(server.readLine())
                .flatMap(line -> line.startsWith("+ ") || line.equals("+")
                        ? server.writeLine(credentials.plain()).then(expectOk(server, "login"))
                        : Mono.error(new ProxyLoginException("AUTH PLAIN refused: " + line)));
        return greeted.then(secured).then(authenticated).thenReturn("");
    }

    private static Mono<Void> expectOk(Backend server, String step) {
        return server.readLine().flatMap(line -> line.startsWith("+OK") ? Mono.<Void>empty()
                : Mono.error(new ProxyLoginException(step + ": " + line)));
    }

    /** Reads up to the reply tagged {@code tag}, keeping the capabilities of any untagged CAPABILITY on the way. */
    private static Mono<String> tagged(Backend server, String tag, StringBuilder capabilities) {
        return tagged(server, tag, capabilities, 0);
    }

    private static Mono<String> tagged(Backend server, String tag, StringBuilder capabilities, int read) {
        if (read >= MAX_LINES) {
            return Mono.error(new ProxyLoginException("no reply to " + tag + " after " + MAX_LINES + " lines"));
        }
        return server.readLine().flatMap(line -> {
            if (line.startsWith(tag + " ")) {
                return Mono.just(line);
            }
            if (line.regionMatches(true, 0, "* CAPABILITY ", 0, "* CAPABILITY ".length())) {
                capabilities.setLength(0);
                capabilities.append(line.substring("* CAPABILITY ".length()).trim());
            } else if (untagged(line, "BYE")) {
                return Mono.error(new ProxyLoginException(line));
            }
            return tagged(server, tag, capabilities, read + 1);
        });
    }

    private static boolean untagged(String line, String status) {
        return line.regionMatches(true, 0, "* " + status + " ", 0, status.length() + 3)
                || line.equalsIgnoreCase("* " + status);
    }

    private static boolean ok(String reply, String tag) {
        return reply.regionMatches(true, 0, tag + " OK", 0, tag.length() + 3);
    }

    /** The text of {@code [NAME text]} at the start of {@code text}; null when it has none. */
    private static @Nullable String responseCode(String text, String name) {
        String prefix = "[" + name + " ";
        if (!text.toUpperCase(Locale.ROOT).startsWith(prefix)) {
            return null;
        }
        int end = text.indexOf(']');
        return end < 0 ? null : text.substring(prefix.length(), end).trim();
    }

    /** The old server did not take the login as expected. */
    static final class ProxyLoginException extends RuntimeException {
        ProxyLoginException(String message) {
            super(message, null, false, false);
        }
    }
}
