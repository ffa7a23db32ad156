package dev.hato.web.dav;

import dev.hato.web.login.LoginFilter;
import dev.hato.web.login.PasswordCheck;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.stream.Stream;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.security.web.server.firewall.StrictServerWebExchangeFirewall;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Security of {@code /dav/}: HTTP Basic (RFC 7617, UTF-8) with the auth ID and password, checked per request through
 * {@link LoginFilter#authenticate} (the webmail login's throttle, lockout and audit); no session, no CSRF token
 * (nothing here reads cookies). A wrong password gets 401 with the challenge again; a check that could not be made
 * (credential source down, client locked out for a while) gets 503, so a client does not ask for a new password.
 * {@code /.well-known/carddav} is open: it only redirects.
 */
public final class DavSecurity {

    /** How the audit log names CardDAV's logins. */
    static final String PROTOCOL = "carddav";
    private static final String CHALLENGE = "Basic realm=\"Hato\", charset=\"UTF-8\"";

    private DavSecurity() { }

    /**
     * The site's security filter: this chain for {@code /dav/} first, then {@code others}; the firewall lets WebDAV's
     * methods through (Spring Security's refuses every method beyond RFC 9110's with 400).
     */
    public static WebFilterChainProxy around(PasswordCheck passwords, SecurityWebFilterChain others) {
        StrictServerWebExchangeFirewall firewall = new StrictServerWebExchangeFirewall();
        firewall.setAllowedHttpMethods(Stream.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
                "PROPFIND", "PROPPATCH", "REPORT", "MKCOL").map(HttpMethod::valueOf).toList());
        WebFilterChainProxy proxy = new WebFilterChainProxy(chain(passwords.forProtocol(PROTOCOL)), others);
        proxy.setFirewall(firewall);
        return proxy;
    }

    static SecurityWebFilterChain chain(PasswordCheck passwords) {
        AuthenticationWebFilter basic = new AuthenticationWebFilter(
                (Authentication attempt) -> LoginFilter.authenticate(passwords, (String) attempt.getPrincipal(),
                        (String) attempt.getCredentials(), (String) attempt.getDetails()));
        basic.setServerAuthenticationConverter(DavSecurity::credentials);
        basic.setSecurityContextRepository(NoOpServerSecurityContextRepository.getInstance());
        basic.setAuthenticationFailureHandler((exchange, failure) -> refuse(exchange.getExchange(),
                failure instanceof AuthenticationServiceException));
        ServerAuthenticationEntryPoint challenge = (exchange, failure) -> refuse(exchange, false);
        return ServerHttpSecurity.http()
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers(DavRoutes.WELL_KNOWN, "/dav", "/dav/**"))
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .authorizeExchange(exchanges -> exchanges.pathMatchers(DavRoutes.WELL_KNOWN).permitAll()
                        .anyExchange().authenticated())
                .exceptionHandling(failures -> failures.authenticationEntryPoint(challenge))
                .addFilterAt(basic, SecurityWebFiltersOrder.HTTP_BASIC)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .build();
    }

    /** The Basic credentials of a request, with the client's address as details; empty when there are none. */
    private static Mono<Authentication> credentials(ServerWebExchange exchange) {
        String header = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Mono.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Mono.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Mono.empty();
        }
        UsernamePasswordAuthenticationToken token = UsernamePasswordAuthenticationToken.unauthenticated(
                decoded.substring(0, colon).strip(), decoded.substring(colon + 1));
        token.setDetails(LoginFilter.clientAddress(exchange));
        return Mono.just(token);
    }

    private static Mono<Void> refuse(ServerWebExchange exchange, boolean unavailable) {
        var response = exchange.getResponse();
        if (unavailable) {
            response.setStatusCode(HttpStatus.SERVICE_UNAVAILABLE);
            response.getHeaders().set(HttpHeaders.RETRY_AFTER, "60");
        } else {
            response.setStatusCode(HttpStatus.UNAUTHORIZED);
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, CHALLENGE);
        }
        return response.setComplete();
    }
}
