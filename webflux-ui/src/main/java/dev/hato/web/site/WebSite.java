package dev.hato.web.site;

import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.directory.Directory;
import dev.hato.store.sieve.SieveScripts;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageSearch;
import dev.hato.web.login.LoginFilter;
import dev.hato.web.login.LoginRoutes;
import dev.hato.web.login.PasswordCheck;
import dev.hato.web.compose.ComposeRoutes;
import dev.hato.web.compose.MailSubmission;
import dev.hato.web.dav.DavRoutes;
import dev.hato.web.dav.DavSecurity;
import dev.hato.web.mail.Correspondents;
import dev.hato.web.mail.FolderRoutes;
import dev.hato.web.mail.LiveRoutes;
import dev.hato.web.mail.MailRoutes;
import dev.hato.web.mail.MessageReading;
import dev.hato.web.mail.ReaderRoutes;
import dev.hato.web.contacts.ContactRoutes;
import dev.hato.web.filters.FilterRoutes;
import dev.hato.web.filters.ScriptCheck;
import dev.hato.web.settings.MailboxMoves;
import dev.hato.web.settings.SettingsRoutes;
import dev.hato.web.setup.ClientSettings;
import dev.hato.web.setup.SetupRoutes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.context.support.ResourceBundleMessageSource;
import org.springframework.http.HttpMethod;
import org.springframework.http.codec.multipart.DefaultPartHttpMessageReader;
import org.springframework.http.codec.multipart.MultipartHttpMessageReader;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.RedirectServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authentication.logout.DelegatingServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.RedirectServerLogoutSuccessHandler;
import org.springframework.security.web.server.authentication.logout.SecurityContextServerLogoutHandler;
import org.springframework.security.web.server.authentication.logout.WebSessionServerLogoutHandler;
import org.springframework.security.web.server.context.WebSessionServerSecurityContextRepository;
import org.springframework.security.web.server.csrf.CookieServerCsrfTokenRepository;
import org.springframework.security.web.server.csrf.CsrfWebFilter;
import org.springframework.security.web.server.csrf.XorServerCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter;
import org.springframework.security.web.server.header.XFrameOptionsServerHttpHeadersWriter;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.security.web.server.util.matcher.AndServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.NegatedServerWebExchangeMatcher;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.reactive.function.server.HandlerStrategies;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.WebSession;
import org.springframework.web.server.adapter.WebHttpHandlerBuilder;
import org.springframework.web.reactive.handler.WebFluxResponseStatusExceptionHandler;
import org.springframework.web.server.session.CookieWebSessionIdResolver;
import org.springframework.web.server.session.DefaultWebSessionManager;
import org.springframework.web.server.session.InMemoryWebSessionStore;
import org.springframework.web.server.session.WebSessionStore;
import org.thymeleaf.spring6.SpringWebFluxTemplateEngine;
import org.thymeleaf.spring6.view.reactive.ThymeleafReactiveViewResolver;
import org.thymeleaf.templatemode.TemplateMode;
import reactor.core.publisher.Mono;

/**
 * The webmail site served on the HTTPS port, assembled by hand rather than from the Spring Boot context, so that it
 * is served only there (the plain HTTP and management ports keep their own routes) and tests build the very same
 * handler: routes of each feature, Thymeleaf pages with English and Japanese message bundles, Spring Security (form
 * login, CSRF, security headers, logout) and web sessions kept in memory.
 *
 * <p>Visitors get no web session: the CSRF token of the login form lives in a cookie, and nothing is saved before a
 * login. A login starts a session under a new ID ({@code __Host-hato-session}: Secure, HttpOnly, SameSite=Lax),
 * which ends after {@link WebSettings#idleTimeout()} without use, or at logout.
 */
public final class WebSite {

    /**
     * No inline script or style anywhere; nothing may frame a page; forms post only here; frames only from here (a
     * message's HTML, which comes with a stricter policy of its own).
     */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'";
    public static final String SESSION_COOKIE = "__Host-hato-session";
    public static final String CSRF_COOKIE = "__Host-hato-csrf";

    private WebSite() { }

    /** The whole HTTPS site, for a server where nobody moves from an old system. */
    public static HttpHandler httpHandler(WebSettings settings, PasswordCheck passwords, Directory directory,
                                          Mailboxes mailboxes, Blobs blobs, MessageSearch search,
                                          AddressBooks addressBooks, MailSubmission submission,
                                          Supplier<ClientSettings> clients, SieveScripts scripts, ScriptCheck check) {
        return httpHandler(settings, passwords, directory, mailboxes, blobs, search, addressBooks, submission, clients,
                scripts, check, MailboxMoves.NONE);
    }

    /** The whole HTTPS site; {@code moves}: people's moves from the old mail system, shown on their settings page. */
    public static HttpHandler httpHandler(WebSettings settings, PasswordCheck passwords, Directory directory,
                                          Mailboxes mailboxes, Blobs blobs, MessageSearch search,
                                          AddressBooks addressBooks, MailSubmission submission,
                                          Supplier<ClientSettings> clients, SieveScripts scripts, ScriptCheck check,
                                          MailboxMoves moves) {
        return httpHandler(settings, passwords, directory, mailboxes, blobs, search, addressBooks, submission, clients,
                scripts, check, moves, null);
    }

    /**
     * The whole HTTPS site; {@code admin}: the admin area ({@code /admin}) for the administrators it names, or null
     * for none.
     */
    public static HttpHandler httpHandler(WebSettings settings, PasswordCheck passwords, Directory directory,
                                          Mailboxes mailboxes, Blobs blobs, MessageSearch search,
                                          AddressBooks addressBooks, MailSubmission submission,
                                          Supplier<ClientSettings> clients, SieveScripts scripts, ScriptCheck check,
                                          MailboxMoves moves, dev.hato.web.admin.@org.jspecify.annotations.Nullable AdminRoutes admin) {
        MessageReading.warmUp();
        MessageReading reading = new MessageReading(blobs);
        RouterFunction<ServerResponse> routes = LoginRoutes.routes()
                .and(new MailRoutes(mailboxes, blobs, search).routes())
                .and(new ReaderRoutes(mailboxes, reading).routes())
                .and(new ComposeRoutes(mailboxes, reading, submission, new Correspondents(mailboxes, blobs, addressBooks, directory)).routes())
                .and(new FolderRoutes(mailboxes).routes())
                .and(new LiveRoutes(mailboxes).routes())
                .and(new SettingsRoutes(directory, mailboxes, moves).routes())
                .and(new FilterRoutes(mailboxes, scripts, check).routes())
                .and(new ContactRoutes(mailboxes, addressBooks, directory).routes())
                .and(new SetupRoutes(clients).routes())
                .and(new DavRoutes(addressBooks).routes())
                .and(Preloaded.staticFiles());
        if (admin != null) {
            routes = admin.routes().and(routes);
        }
        HandlerStrategies strategies = HandlerStrategies.builder().viewResolver(views())
                .codecs(codecs -> codecs.defaultCodecs().multipartReader(multipart(submission.maxMessageSize())))
                .build();
        HttpHandler site = WebHttpHandlerBuilder.webHandler(RouterFunctions.toWebHandler(routes, strategies))
                .filter(SiteLocale.remember(), DavSecurity.around(passwords,
                        security(settings, passwords, directory)))
                .exceptionHandler(new WebFluxResponseStatusExceptionHandler())
                .sessionManager(sessions(settings))
                .localeContextResolver(new SiteLocale())
                .build();
        return BodyLimit.around(site, submission.maxMessageSize());
    }

    /** What the plain HTTP port adds to its own routes: autoconfig, and the webmail's pages moved to HTTPS. */
    public static RouterFunction<ServerResponse> plainRoutes(Supplier<ClientSettings> clients) {
        return new SetupRoutes(clients).autoconfig()
                .and(HttpsRedirect.routes(clients.get().hostName(), () -> clients.get().https()));
    }

    /**
     * Uploads (compose): parts beyond 256 KiB go to temporary files (written on Reactor's bounded elastic threads,
     * deleted when the request ends), each at most the message size, at most 64 parts, headers at most 8 KiB.
     */
    private static MultipartHttpMessageReader multipart(long maxMessageSize) {
        DefaultPartHttpMessageReader parts = new DefaultPartHttpMessageReader();
        parts.setMaxInMemorySize(256 * 1024);
        parts.setMaxDiskUsagePerPart(maxMessageSize);
        parts.setMaxParts(64);
        parts.setMaxHeadersSize(8 * 1024);
        return new MultipartHttpMessageReader(parts);
    }

    static SecurityWebFilterChain security(WebSettings settings, PasswordCheck passwords, Directory directory) {
        WebSessionServerSecurityContextRepository contexts = new WebSessionServerSecurityContextRepository();
        CookieServerCsrfTokenRepository csrfTokens = new CookieServerCsrfTokenRepository();
        csrfTokens.setCookieName(CSRF_COOKIE);
        csrfTokens.setCookiePath("/");
        csrfTokens.setCookieCustomizer(cookie -> cookie.secure(true).httpOnly(true).sameSite("Strict"));
        SecurityContextServerLogoutHandler forget = new SecurityContextServerLogoutHandler();
        forget.setSecurityContextRepository(contexts);
        RedirectServerLogoutSuccessHandler loggedOut = new RedirectServerLogoutSuccessHandler();
        loggedOut.setLogoutSuccessUrl(URI.create("/login?logout"));
        return ServerHttpSecurity.http()
                .securityContextRepository(contexts)
                .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens).csrfTokenRequestHandler(csrfFromForms())
                        // Outlook posts its autodiscover request without any token; it changes nothing.
                        .requireCsrfProtectionMatcher(new AndServerWebExchangeMatcher(CsrfWebFilter.DEFAULT_CSRF_MATCHER,
                                new NegatedServerWebExchangeMatcher(ServerWebExchangeMatchers.pathMatchers(
                                        HttpMethod.POST, "/autodiscover/autodiscover.xml")))))
                .headers(headers -> {
                    headers.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                            .frameOptions(frame -> frame.mode(XFrameOptionsServerHttpHeadersWriter.Mode.DENY))
                            .referrerPolicy(referrer -> referrer.policy(
                                    ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy.NO_REFERRER));
                    if (settings.hsts()) {
                        headers.hsts(hsts -> hsts.maxAge(Duration.ofDays(365)).includeSubdomains(false));
                    } else {
                        headers.hsts(ServerHttpSecurity.HeaderSpec.HstsSpec::disable);
                    }
                })
                .requestCache(cache -> cache.requestCache(NoOpServerRequestCache.getInstance()))
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/", "/login", "/setup", "/.well-known/autoconfig/**", "/mail/config-v1.1.xml",
                                "/autodiscover/autodiscover.xml", "/.well-known/mta-sts.txt", "/webjars/**",
                                "/static/**").permitAll()
                        .anyExchange().authenticated())
                .exceptionHandling(failures -> failures
                        .authenticationEntryPoint(new RedirectServerAuthenticationEntryPoint("/login")))
                .addFilterAt(LoginFilter.create(passwords, contexts,
                        user -> SettingsRoutes.language(directory, user)), SecurityWebFiltersOrder.FORM_LOGIN)
                .logout(logout -> logout.logoutUrl("/logout")
                        .logoutHandler(new DelegatingServerLogoutHandler(forget, new WebSessionServerLogoutHandler()))
                        .logoutSuccessHandler(loggedOut))
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .build();
    }

    /** The masked token, also read from a multipart form (compose posts one, with its files). */
    private static XorServerCsrfTokenRequestAttributeHandler csrfFromForms() {
        XorServerCsrfTokenRequestAttributeHandler handler = new XorServerCsrfTokenRequestAttributeHandler();
        handler.setTokenFromMultipartDataEnabled(true);
        return handler;
    }

    private static DefaultWebSessionManager sessions(WebSettings settings) {
        InMemoryWebSessionStore memory = new InMemoryWebSessionStore();
        memory.setMaxSessions(settings.maxSessions());
        DefaultWebSessionManager manager = new DefaultWebSessionManager();
        manager.setSessionStore(new IdleLimited(memory, settings.idleTimeout()));
        CookieWebSessionIdResolver ids = new CookieWebSessionIdResolver();
        ids.setCookieName(SESSION_COOKIE);
        ids.addCookieInitializer(cookie -> cookie.secure(true).httpOnly(true).sameSite("Lax").path("/"));
        manager.setSessionIdResolver(ids);
        return manager;
    }

    /** Sessions that end after the configured time without use. */
    private record IdleLimited(WebSessionStore delegate, Duration idleTimeout) implements WebSessionStore {
        @Override
        public Mono<WebSession> createWebSession() {
            return delegate.createWebSession().doOnNext(session -> session.setMaxIdleTime(idleTimeout));
        }

        @Override
        public Mono<WebSession> retrieveSession(String sessionId) {
            return delegate.retrieveSession(sessionId);
        }

        @Override
        public Mono<Void> removeSession(String sessionId) {
            return delegate.removeSession(sessionId);
        }

        @Override
        public Mono<WebSession> updateLastAccessTime(WebSession webSession) {
            return delegate.updateLastAccessTime(webSession);
        }
    }

    private static ThymeleafReactiveViewResolver views() {
        ResourceBundleMessageSource messages = new ResourceBundleMessageSource();
        messages.setBasename("web/messages");
        messages.setDefaultEncoding(StandardCharsets.UTF_8.name());
        messages.setFallbackToSystemLocale(false);
        GenericApplicationContext context = new GenericApplicationContext();
        context.registerBean("messageSource", ResourceBundleMessageSource.class, () -> messages);
        context.refresh();
        // Bundles are loaded now, once: ResourceBundle reads them from the class path, which blocks.
        for (java.util.Locale locale : SiteLocale.SUPPORTED) {
            messages.getMessage("nav.brand", null, locale);
        }
        var templates = Preloaded.templates();
        templates.setTemplateMode(TemplateMode.HTML);
        templates.setCharacterEncoding(StandardCharsets.UTF_8.name());
        templates.setCacheable(true);
        SpringWebFluxTemplateEngine engine = new SpringWebFluxTemplateEngine();
        engine.setTemplateResolver(templates);
        engine.setTemplateEngineMessageSource(messages);
        // Initialised now: its first use reads Thymeleaf's own resources from the class path, which blocks.
        engine.getConfiguration();
        ThymeleafReactiveViewResolver resolver = new ThymeleafReactiveViewResolver();
        resolver.setTemplateEngine(engine);
        resolver.setApplicationContext(context);
        return resolver;
    }
}
