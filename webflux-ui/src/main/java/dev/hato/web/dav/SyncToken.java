package dev.hato.web.dav;

import org.jspecify.annotations.Nullable;

/**
 * RFC 6578's sync token as a URI (§3.2 wants one): {@code urn:x-hato:sync:N}, N the book's change counter. Only the
 * number means anything; clients treat the whole as opaque.
 */
final class SyncToken {

    private static final String PREFIX = "urn:x-hato:sync:";

    private SyncToken() { }

    static String of(long token) {
        return PREFIX + token;
    }

    /** The counter in {@code uri}: 0 for an empty token (a first sync), null for one this server never gave. */
    static @Nullable Long parse(@Nullable String uri) {
        if (uri == null || uri.isBlank()) {
            return 0L;
        }
        String value = uri.strip();
        if (!value.startsWith(PREFIX) || value.length() > PREFIX.length() + 18) {
            return null;
        }
        try {
            long token = Long.parseLong(value.substring(PREFIX.length()));
            return token < 0 ? null : token;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
