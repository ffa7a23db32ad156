package dev.hato.migration;

import java.util.regex.Pattern;

/** The IMAP flags an import may store: the system flags the old stores name, and keywords that are IMAP atoms. */
final class MailFlags {

    static final String SEEN = "\\Seen";
    static final String ANSWERED = "\\Answered";
    static final String FLAGGED = "\\Flagged";
    static final String DELETED = "\\Deleted";
    static final String DRAFT = "\\Draft";
    /** RFC 5550 §2.8 / the IANA keyword registry: the message was forwarded (Maildir's P). */
    static final String FORWARDED = "$Forwarded";

    // RFC 3501 §9 flag-keyword, as the IMAP STORE command takes it: keywords no IMAP client could set are dropped.
    private static final Pattern KEYWORD = Pattern.compile("[!#$&'+-\\[^-z|~]{1,100}");

    private MailFlags() { }

    /** Whether {@code keyword} can be stored as an IMAP keyword. */
    static boolean isKeyword(String keyword) {
        return KEYWORD.matcher(keyword).matches();
    }
}
