package dev.hato.web.setup;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The domain of an address a client sent, checked without any regular expression (linear, bounded). */
final class Addresses {

    static final int MAX_ADDRESS = 254;

    private Addresses() { }

    /** The lower-cased domain of {@code local@domain}, or null when it is not a plausible address. */
    static @Nullable String domain(@Nullable String address) {
        if (address == null || address.isEmpty() || address.length() > MAX_ADDRESS) {
            return null;
        }
        int at = address.lastIndexOf('@');
        if (at < 1 || at == address.length() - 1) {
            return null;
        }
        for (int i = 0; i < at; i++) {
            char c = address.charAt(i);
            if (c <= ' ' || c == '<' || c == '>' || c == '"' || c == '&' || c == 0x7f) {
                return null;
            }
        }
        String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.startsWith(".") || domain.endsWith(".") || domain.contains("..") || domain.indexOf('.') < 0) {
            return null;
        }
        for (int i = 0; i < domain.length(); i++) {
            char c = domain.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return null;
            }
        }
        return domain;
    }
}
