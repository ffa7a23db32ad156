package dev.hato.imap.session;

import dev.hato.imap.wire.ModifiedUtf7;
import dev.hato.store.mail.MailboxException;
import java.text.Normalizer;
import org.jspecify.annotations.Nullable;

/**
 * Mailbox names between the wire and the store: modified UTF-7 (RFC 3501 §5.1.3) or, after ENABLE UTF8=ACCEPT or
 * IMAP4rev2, UTF-8 (RFC 6855 §3, RFC 9051 §5.1); {@code INBOX} in any case is INBOX (RFC 3501 §5.1); {@code /}
 * separates levels.
 *
 * <p>A name that can be no mailbox (not valid modified UTF-7, a wildcard, an empty level) is well-formed IMAP (any
 * astring is a mailbox argument), so it is refused with {@code NO}, not {@code BAD}: {@code [NONEXISTENT]} where a
 * mailbox is looked up — no mailbox has that name, as Dovecot answers too — and {@code [CANNOT]} where one would be
 * made (CREATE, the target of RENAME, SUBSCRIBE), since it can never succeed (RFC 5530 §3).
 */
final class MailboxNames {

    static final char DELIMITER = '/';
    private static final int MAX_LENGTH = 1000;

    private MailboxNames() { }

    /**
     * The stored name of a mailbox the client names to find it; a name that can be no mailbox is a
     * {@link MailboxException} NONEXISTENT.
     */
    static String fromWire(String wire, boolean utf8) {
        return checked(wire, utf8, MailboxException.Reason.NONEXISTENT);
    }

    /** As {@link #fromWire}, for a name to be made or kept (SUBSCRIBE): an invalid one is CANNOT. */
    static String toMake(String wire, boolean utf8) {
        return checked(wire, utf8, MailboxException.Reason.CANNOT);
    }

    /** A name for CREATE: a trailing delimiter only says that inferiors will follow (RFC 3501 §6.3.3). */
    static String forCreate(String wire, boolean utf8) {
        String trimmed = wire.endsWith("/") && wire.length() > 1 ? wire.substring(0, wire.length() - 1) : wire;
        return toMake(trimmed, utf8);
    }

    private static String checked(String wire, boolean utf8, MailboxException.Reason reason) {
        String problem = problem(wire, utf8);
        if (problem == null && utf8 && reason == MailboxException.Reason.CANNOT) {
            problem = notNetUnicode(wire);
        }
        if (problem != null) {
            throw new MailboxException(reason, problem);
        }
        return canonicalInbox(utf8 ? wire : ModifiedUtf7.decode(wire));
    }

    /** Why {@code wire} can name no mailbox, or null when it can. */
    private static @Nullable String problem(String wire, boolean utf8) {
        String name;
        try {
            name = utf8 ? wire : ModifiedUtf7.decode(wire);
        } catch (IllegalArgumentException e) {
            return "Mailbox name is not valid modified UTF-7 (RFC 3501 §5.1.3): " + e.getMessage();
        }
        if (name.isEmpty() || name.length() > MAX_LENGTH) {
            return "Mailbox name is empty or longer than " + MAX_LENGTH + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '*' || c == '%') {
                // RFC 3501 §5.1: a name with a wildcard could not be listed by itself with LIST.
                return "Mailbox names cannot hold the LIST wildcards % and *";
            }
            if (c < 0x20 || c == 0x7F) {
                return "Mailbox names cannot hold control characters";
            }
        }
        if (name.charAt(0) == DELIMITER || name.contains("//")) {
            return "Empty hierarchy level in mailbox name";
        }
        return null;
    }

    /**
     * RFC 9051 §5.1 and RFC 6855 §3: a UTF-8 name is made only when it is Net-Unicode (RFC 5198 §2): in Normalization
     * Form C, and (RFC 6855 §3) without C1 controls, U+2028 or U+2029 (C0 controls and DEL no name may hold). Hato
     * refuses the name rather than normalizing it, which RFC 9051 §5.1 also allows, so a name is always the one the
     * client sent.
     */
    private static @Nullable String notNetUnicode(String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c >= 0x80 && c <= 0x9F || c == 0x2028 || c == 0x2029) {
                return "Mailbox names cannot hold control characters or line and paragraph separators";
            }
        }
        if (!Normalizer.isNormalized(name, Normalizer.Form.NFC)) {
            return "Mailbox name is not in Unicode Normalization Form C (RFC 5198 §2)";
        }
        return null;
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
