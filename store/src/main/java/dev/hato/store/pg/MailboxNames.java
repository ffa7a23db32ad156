package dev.hato.store.pg;

import dev.hato.store.mail.MailboxException.Reason;
import dev.hato.store.mail.MailboxException;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored form of mailbox names: Unicode, {@code /} between hierarchy levels, {@code INBOX} spelled so.
 * RFC 3501 §5.1: INBOX is case-insensitive; like Dovecot, an INBOX that is the first level of a longer name is
 * taken case-insensitively too ({@code inbox/x} is {@code INBOX/x}), so a client cannot create two trees that
 * differ only in the case of INBOX.
 */
final class MailboxNames {

    static final String INBOX = "INBOX";

    static final char DELIMITER = '/';

    /** Longest name in UTF-16 units: names are repeated in every LIST response and stored in every subscription. */
    static final int MAX_LENGTH = 1000;

    /** Most hierarchy levels in one name. */
    static final int MAX_DEPTH = 32;

    private MailboxNames() {
    }

    /**
     * The stored form of {@code name}, or CANNOT for an empty name, an empty level ({@code a//b}, a leading or
     * trailing {@code /}: RFC 3501 §5.1 gives such names no meaning), control characters, or a name too long or
     * too deep.
     */
    static String canonical(String name) {
        if (name.isEmpty()) {
            throw cannot("a mailbox name cannot be empty");
        }
        if (name.length() > MAX_LENGTH) {
            throw cannot("a mailbox name can have at most " + MAX_LENGTH + " characters");
        }
        int levels = 1;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw cannot("a mailbox name cannot contain control characters");
            }
            if (c == DELIMITER) {
                levels++;
                if (i == 0 || i == name.length() - 1 || name.charAt(i - 1) == DELIMITER) {
                    throw cannot("a mailbox name cannot have an empty level (\"" + name + "\")");
                }
            }
        }
        if (levels > MAX_DEPTH) {
            throw cannot("a mailbox name can have at most " + MAX_DEPTH + " levels");
        }
        int end = name.indexOf(DELIMITER);
        String first = end < 0 ? name : name.substring(0, end);
        if (first.equalsIgnoreCase(INBOX) && !first.equals(INBOX)) {
            return INBOX + name.substring(first.length());
        }
        return name;
    }

    /** The superior names of a canonical name, outermost first: {@code a/b/c} → {@code a}, {@code a/b}. */
    static List<String> superiors(String name) {
        List<String> superiors = new ArrayList<>();
        for (int i = name.indexOf(DELIMITER); i >= 0; i = name.indexOf(DELIMITER, i + 1)) {
            superiors.add(name.substring(0, i));
        }
        return superiors;
    }

    /** True when {@code name} is {@code ancestor}'s inferior (at any depth). */
    static boolean isInferior(String name, String ancestor) {
        return name.length() > ancestor.length() + 1 && name.startsWith(ancestor)
                && name.charAt(ancestor.length()) == DELIMITER;
    }

    private static MailboxException cannot(String message) {
        return new MailboxException(Reason.CANNOT, message);
    }
}
