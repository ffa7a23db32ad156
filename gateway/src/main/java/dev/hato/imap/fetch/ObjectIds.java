package dev.hato.imap.fetch;

import dev.hato.store.mail.MessageMeta;

/**
 * RFC 8474 object identifiers as Hato makes them. Each is a letter (RFC 8474 §8.1: never a digit, a dash or a bare
 * number first; the letter also keeps the kinds apart, §5.2) followed by lower-case hexadecimal digits and {@code _}:
 * no two differ only by case, and none contains {@code NIL}, since hexadecimal has no N, I or L.
 *
 * <ul>
 * <li>MAILBOXID {@code F<mailbox id>}: the mailbox row's id, from a sequence, so never given to another mailbox;
 *     RENAME keeps the row, RENAME of INBOX makes a new mailbox (RFC 8474 §4, §8.2).</li>
 * <li>EMAILID {@code M<mailbox id>_<uid>}: the mailbox and UID the content was first stored with ({@link
 *     MessageMeta#originMailboxId()}), which COPY and MOVE carry to the copy (§5.1) and which no other message is ever
 *     stored with.</li>
 * </ul>
 * THREADID is not offered: FETCH answers NIL and SEARCH THREADID matches nothing, as §5.2 requires of a server
 * without it (docs/imap.md says why).
 */
public final class ObjectIds {

    private ObjectIds() {
    }

    /** RFC 8474 §4 MAILBOXID of the mailbox with this row id. */
    public static String mailboxId(long mailboxId) {
        return "F" + Long.toHexString(mailboxId);
    }

    /** RFC 8474 §5.1 EMAILID of the message. */
    public static String emailId(MessageMeta message) {
        return "M" + Long.toHexString(message.originMailboxId()) + "_" + Long.toHexString(message.originUid());
    }
}
