package dev.hato.web.site;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.context.i18n.LocaleContext;
import org.springframework.context.i18n.SimpleLocaleContext;
import org.springframework.http.HttpCookie;
import org.springframework.http.ResponseCookie;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.server.i18n.LocaleContextResolver;
import reactor.core.publisher.Mono;

/**
 * English or Japanese: {@code ?lang=en|ja} (remembered in a cookie), else that cookie, else the best of
 * Accept-Language, else English.
 */
final class SiteLocale implements LocaleContextResolver {

    static final String COOKIE = dev.hato.web.login.LanguageCookie.NAME;
    static final List<Locale> SUPPORTED = List.of(Locale.ENGLISH, Locale.JAPANESE);

    @Override
    public LocaleContext resolveLocaleContext(ServerWebExchange exchange) {
        Locale chosen = supported(exchange.getRequest().getQueryParams().getFirst("lang"));
        if (chosen == null) {
            HttpCookie cookie = exchange.getRequest().getCookies().getFirst(COOKIE);
            chosen = cookie == null ? null : supported(cookie.getValue());
        }
        if (chosen == null) {
            try {
                chosen = exchange.getRequest().getHeaders().getAcceptLanguageAsLocales().stream()
                        .map(locale -> supported(locale.getLanguage())).filter(java.util.Objects::nonNull)
                        .findFirst().orElse(Locale.ENGLISH);
            } catch (IllegalArgumentException malformed) {
                chosen = Locale.ENGLISH;
            }
        }
        return new SimpleLocaleContext(chosen);
    }

    @Override
    public void setLocaleContext(ServerWebExchange exchange, @Nullable LocaleContext localeContext) {
        throw new UnsupportedOperationException("the language is chosen with ?lang=");
    }

    static @Nullable Locale supported(@Nullable String language) {
        if (language == null) {
            return null;
        }
        return switch (language) {
            case "en" -> Locale.ENGLISH;
            case "ja" -> Locale.JAPANESE;
            default -> null;
        };
    }

    /** Remembers a {@code ?lang=} choice for the following pages. */
    static WebFilter remember() {
        return (ServerWebExchange exchange, WebFilterChain chain) -> {
            Locale chosen = supported(exchange.getRequest().getQueryParams().getFirst("lang"));
            if (chosen != null) {
                exchange.getResponse().addCookie(dev.hato.web.login.LanguageCookie.of(chosen.getLanguage()));
            }
            return chain.filter(exchange);
        };
    }
}
