package dev.hato.web.login;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.web.server.DefaultServerRedirectStrategy;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationSuccessHandler;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The {@code POST /login} form ({@code username}, {@code password}, {@code _csrf}): the client's address goes with
 * the credentials to {@link PasswordCheck}, so the per-address throttle and lockout of the mail protocols apply.
 * Success saves the login in a new web session (a new session ID: Spring's session repository changes it) and goes
 * to the INBOX; a failure goes back to the form with a reason: {@code failed}, {@code address} (an address was typed
 * where the auth ID belongs) or {@code unavailable} (try again later: source down or too many failures).
 */
public final class LoginFilter {

    /** Longer input is refused without asking anyone: no auth ID or password of a real person is this long. */
    static final int MAX_LOGIN = 256;
    static final int MAX_PASSWORD = 1024;

    private LoginFilter() { }

    /**
     * @param language the person's chosen language ({@code en} or {@code ja}), empty when they chose none: set as the
     *     site's language cookie at login, so the choice follows them to every browser
     */
    public static AuthenticationWebFilter create(PasswordCheck check, ServerSecurityContextRepository sessions,
                                                 java.util.function.Function<WebUser, Mono<String>> language) {
        AuthenticationWebFilter filter = new AuthenticationWebFilter(
                (Authentication attempt) -> authenticate(check, (Attempt) attempt));
        filter.setRequiresAuthenticationMatcher(ServerWebExchangeMatchers.pathMatchers(HttpMethod.POST, "/login"));
        filter.setServerAuthenticationConverter(LoginFilter::attempt);
        filter.setSecurityContextRepository(sessions);
        RedirectServerAuthenticationSuccessHandler toInbox = new RedirectServerAuthenticationSuccessHandler("/mail");
        filter.setAuthenticationSuccessHandler((exchange, authentication) -> {
            Mono<String> chosen = authentication.getPrincipal() instanceof WebUser user ? language.apply(user)
                    : Mono.empty();
            return chosen.doOnNext(lang -> exchange.getExchange().getResponse().addCookie(LanguageCookie.of(lang)))
                    .then(toInbox.onAuthenticationSuccess(exchange, authentication));
        });
        DefaultServerRedirectStrategy redirect = new DefaultServerRedirectStrategy();
        filter.setAuthenticationFailureHandler((exchange, failure) -> redirect.sendRedirect(exchange.getExchange(),
                URI.create("/login?error=" + reason(failure))));
        return filter;
    }

    private static String reason(AuthenticationException failure) {
        if (failure instanceof AddressGiven) {
            return "address";
        }
        return failure instanceof AuthenticationServiceException ? "unavailable" : "failed";
    }

    private static Mono<Authentication> attempt(ServerWebExchange exchange) {
        return exchange.getFormData().map(form -> {
            String login = form.getFirst("username");
            String password = form.getFirst("password");
            return new Attempt(login == null ? "" : login.strip(), password == null ? "" : password,
                    clientAddress(exchange));
        });
    }

    /** The client's IP address, for the throttle and the audit log; {@code unknown} when the socket has none. */
    public static String clientAddress(ServerWebExchange exchange) {
        InetSocketAddress remote = exchange.getRequest().getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    }

    private static Mono<Authentication> authenticate(PasswordCheck check, Attempt attempt) {
        return authenticate(check, attempt.login, attempt.password, attempt.client);
    }

    /**
     * Checks credentials as the login form does (also for CardDAV's HTTP Basic): an authenticated token whose
     * principal is the {@link WebUser}, or an error: {@link BadCredentialsException} for wrong ones,
     * {@link AuthenticationServiceException} when the check could not be made (try later).
     */
    public static Mono<Authentication> authenticate(PasswordCheck check, String login, String password,
                                                    String client) {
        if (login.isEmpty() || password.isEmpty() || login.length() > MAX_LOGIN
                || password.length() > MAX_PASSWORD) {
            return Mono.error(new BadCredentialsException("empty or overlong login or password"));
        }
        return check.check(login, password, client)
                .switchIfEmpty(Mono.fromSupplier(PasswordCheck.Unavailable::new))
                .onErrorResume(error -> Mono.just(new PasswordCheck.Unavailable()))
                .flatMap(LoginFilter::outcome);
    }

    private static Mono<Authentication> outcome(PasswordCheck.Result result) {
        if (result instanceof PasswordCheck.Success success) {
            return Mono.just(UsernamePasswordAuthenticationToken.authenticated(success.user(), null,
                    List.of(new SimpleGrantedAuthority("ROLE_USER"))));
        }
        if (result instanceof PasswordCheck.Rejected rejected) {
            return Mono.error(rejected.addressGiven() ? new AddressGiven()
                    : new BadCredentialsException("authentication failed"));
        }
        return Mono.error(new AuthenticationServiceException("authentication temporarily unavailable"));
    }

    /** The credentials as typed and where they came from; never stored. */
    private static final class Attempt extends UsernamePasswordAuthenticationToken {
        private final String login;
        private final transient String password;
        private final String client;

        Attempt(String login, String password, String client) {
            super(login, null);
            this.login = login;
            this.password = password;
            this.client = client;
        }
    }

    private static final class AddressGiven extends BadCredentialsException {
        AddressGiven() {
            super("authentication failed: an address was given where the auth ID belongs");
        }
    }
}
