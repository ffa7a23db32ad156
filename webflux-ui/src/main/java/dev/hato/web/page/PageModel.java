package dev.hato.web.page;

import dev.hato.web.login.WebUser;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/**
 * What every page template gets: {@code _csrf} (the token for its forms, when the request carries one),
 * {@code user} (the {@link WebUser} logged in, absent otherwise) and {@code lang} ({@code en} or {@code ja}).
 */
public final class PageModel {

    private PageModel() { }

    /** The logged-in person, empty for a visitor. */
    public static Mono<WebUser> user(ServerRequest request) {
        return request.principal().flatMap(PageModel::user);
    }

    private static Mono<WebUser> user(Principal principal) {
        return principal instanceof Authentication authentication && authentication.isAuthenticated()
                && authentication.getPrincipal() instanceof WebUser user ? Mono.just(user) : Mono.empty();
    }

    /** The common model, to which a page adds its own values. */
    public static Mono<Map<String, Object>> of(ServerRequest request) {
        Mono<CsrfToken> token = request.exchange().getAttributeOrDefault(CsrfToken.class.getName(), Mono.empty());
        return Mono.zip(token.map(Optional::of).defaultIfEmpty(Optional.empty()),
                user(request).map(Optional::of).defaultIfEmpty(Optional.empty())).map(both -> {
                    Map<String, Object> model = new HashMap<>();
                    both.getT1().ifPresent(csrf -> model.put("_csrf", csrf));
                    both.getT2().ifPresent(user -> model.put("user", user));
                    model.put("lang", request.exchange().getLocaleContext().getLocale() != null
                            && "ja".equals(request.exchange().getLocaleContext().getLocale().getLanguage())
                            ? "ja" : "en");
                    return model;
                });
    }
}
