package dev.hato.sieve;

import org.jspecify.annotations.Nullable;

/** RFC 5228 §2.7.4 and RFC 5233 §4: which part of an address a test compares. */
public enum AddressPart {
    ALL, LOCALPART, DOMAIN, USER, DETAIL;

    /**
     * The part of {@code address} (local@domain, as the message or envelope gives it), split at its last "@", the
     * local part without its quotes; an address without "@" has only {@code :all}. {@code :user} is the local part up to the first {@code separator} (all
     * of it when there is none), {@code :detail} what follows it, and null when there is none: RFC 5233 §4, such an
     * address "fails to match any of the specified keys", {@code :matches "*"} included.
     *
     * @param separator the site's subaddress separator ({@code hato.smtp.subaddress-separator}, "+" by default)
     */
    public @Nullable String of(String address, String separator) {
        int at = address.lastIndexOf('@');
        if (at < 0 && this != ALL) {
            return null; // RFC 5228 §2.7.4: not an address, so no part of it can match
        }
        String local = at < 0 ? address : unquoted(address.substring(0, at));
        return switch (this) {
            case ALL -> address;
            case LOCALPART -> local;
            case DOMAIN -> address.substring(at + 1);
            case USER -> {
                int split = separator.isEmpty() ? -1 : local.indexOf(separator);
                yield split < 0 ? local : local.substring(0, split);
            }
            case DETAIL -> {
                int split = separator.isEmpty() ? -1 : local.indexOf(separator);
                yield split < 0 ? null : local.substring(split + separator.length());
            }
        };
    }

    /** A quoted local part's content ({@code "a b"} is {@code a b}, RFC 5322 §3.2.4), else the local part as it is. */
    static String unquoted(String local) {
        if (local.length() < 2 || local.charAt(0) != '"' || local.charAt(local.length() - 1) != '"') {
            return local;
        }
        StringBuilder out = new StringBuilder(local.length());
        for (int i = 1; i < local.length() - 1; i++) {
            char c = local.charAt(i);
            if (c == '\\' && i + 1 < local.length() - 1) {
                c = local.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }
}
