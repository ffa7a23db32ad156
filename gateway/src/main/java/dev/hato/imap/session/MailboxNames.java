package dev.hato.imap.session;

import dev.hato.imap.wire.ModifiedUtf7;

/**
 * Mailbox names between the wire and the store: modified UTF-7 (RFC 3501 §5.1.3) or, after ENABLE UTF8=ACCEPT,
 * UTF-8 (RFC 6855 §3); {@code INBOX} in any case is INBOX (RFC 3501 §5.1); {@code /} separates levels.
 */
final class MailboxNames {

    static final char DELIMITER = '/';
    private static final int MAX_LENGTH = 1000;

    private MailboxNames() { }

    /** The stored name for a name from the client; IllegalArgumentException when it is not a valid name. */
    static String fromWire(String wire, boolean utf8) {
        String name = utf8 ? wire : ModifiedUtf7.decode(wire);
        name = canonicalInbox(name);
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Invalid mailbox name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '*' || c == '%') {
                throw new IllegalArgumentException("Invalid character in mailbox name");
            }
        }
        if (name.charAt(0) == DELIMITER || name.contains("//")) {
            throw new IllegalArgumentException("Empty hierarchy level in mailbox name");
        }
        return name;
    }

    /** A name for CREATE: a trailing delimiter only says that inferiors will follow (RFC 3501 §6.3.3). */
    static String forCreate(String wire, boolean utf8) {
        String trimmed = wire.endsWith("/") && wire.length() > 1 ? wire.substring(0, wire.length() - 1) : wire;
        return fromWire(trimmed, utf8);
    }

    /** The name as the client sees it, quoted. */
    static String toWire(String name, boolean utf8) {
        return ResponseText.quoted(utf8 ? name : ModifiedUtf7.encode(name));
    }

    /** RFC 3501 §5.1: "INBOX" is case-insensitive, also as the first level of a longer name. */
    static String canonicalInbox(String name) {
        if (name.regionMatches(true, 0, "INBOX", 0, 5) && (name.length() == 5 || name.charAt(5) == DELIMITER)) {
            return "INBOX" + name.substring(5);
        }
        return name;
    }

    /** The superior of a name, or null at the top level. */
    static String parent(String name) {
        int slash = name.lastIndexOf(DELIMITER);
        return slash < 0 ? "" : name.substring(0, slash);
    }
}
