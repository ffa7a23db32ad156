package dev.hato.web.login;

import java.time.Duration;
import org.springframework.http.ResponseCookie;

/** The cookie that keeps a browser's language ({@code en} or {@code ja}) for the site's pages. */
public final class LanguageCookie {

    public static final String NAME = "hato-lang";

    private LanguageCookie() { }

    public static ResponseCookie of(String language) {
        return ResponseCookie.from(NAME, language).path("/").secure(true).httpOnly(true).sameSite("Lax")
                .maxAge(Duration.ofDays(365)).build();
    }

    /** The cookie removed: the browser's own languages choose again. */
    public static ResponseCookie cleared() {
        return ResponseCookie.from(NAME, "").path("/").secure(true).httpOnly(true).sameSite("Lax")
                .maxAge(Duration.ZERO).build();
    }
}
