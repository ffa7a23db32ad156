package dev.hato.store.pg;

import dev.hato.store.mail.MailboxException.Reason;
import dev.hato.store.mail.MailboxException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Flags as they are stored (RFC 3501 §2.3.2): system flags in their canonical spelling whatever case the client
 * used, {@code \Recent} never (it belongs to a session), keywords as the client first spelled them; no two flags
 * that differ only in case, because flags compare case-insensitively.
 */
final class Flags {

    private static final List<String> SYSTEM = List.of("\\Seen", "\\Answered", "\\Flagged", "\\Deleted", "\\Draft");

    /** Most flags one request may name; a keyword costs storage in every message that carries it. */
    static final int MAX_FLAGS = 128;

    /** Longest keyword, in characters. */
    static final int MAX_KEYWORD = 200;

    private Flags() {
    }

    /**
     * The stored form of a request's flags, deduplicated case-insensitively. CANNOT for a flag that is not an atom
     * (RFC 3501 §9 flag-keyword), an unknown {@code \} flag (flag-extension: none is kept), or too many flags.
     */
    static String[] canonical(Collection<String> flags) {
        if (flags.size() > MAX_FLAGS) {
            throw new MailboxException(Reason.LIMIT, "at most " + MAX_FLAGS + " flags at once");
        }
        Map<String, String> byLowerCase = new LinkedHashMap<>();
        for (String flag : flags) {
            String stored = stored(flag);
            if (stored != null) {
                byLowerCase.putIfAbsent(stored.toLowerCase(Locale.ROOT), stored);
            }
        }
        return byLowerCase.values().toArray(String[]::new);
    }

    /** The stored spelling, or null for \Recent. */
    private static String stored(String flag) {
        if (flag.startsWith("\\")) {
            if (flag.equalsIgnoreCase("\\Recent")) {
                return null;
            }
            for (String system : SYSTEM) {
                if (system.equalsIgnoreCase(flag)) {
                    return system;
                }
            }
            throw new MailboxException(Reason.CANNOT, flag + " is not a flag this server keeps");
        }
        if (flag.isEmpty() || flag.length() > MAX_KEYWORD) {
            throw new MailboxException(Reason.CANNOT, "a keyword has 1 to " + MAX_KEYWORD + " characters");
        }
        for (int i = 0; i < flag.length(); i++) {
            char c = flag.charAt(i);
            // RFC 3501 §9: atom-char is any CHAR except atom-specials; flag-keyword excludes "]" too (resp-specials).
            if (c <= 0x20 || c >= 0x7f || "(){%*\"\\]".indexOf(c) >= 0) {
                throw new MailboxException(Reason.CANNOT, "not a valid keyword: " + flag);
            }
        }
        return flag;
    }
}
