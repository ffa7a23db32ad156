package dev.hato.store.mail;

import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/**
 * The part of IMAP SEARCH, SORT and THREAD that needs the stored {@link MessageFacts}: substring search over the
 * decoded header and body text, and the RFC 5256 sort fields. Everything else (flags, dates, sizes, sequence sets)
 * the gateway evaluates on the message list it already holds.
 *
 * <p>Messages whose facts have not been stored (none were parsed) match no text query; their sort row has empty
 * fields.
 */
public interface MessageSearch {

    /**
     * The UIDs, ascending, of the messages in the mailbox whose {@code query.scope()} contains {@code query.text()}
     * (RFC 3501 §6.4.4: a case-insensitive substring match). {@code messages}, how many messages the caller sees in
     * the mailbox, only chooses how to look: a small mailbox is read through, a large one through the text index.
     */
    Flux<Long> find(long accountId, long mailboxId, TextQuery query, int messages);

    /** Every message of the mailbox with its sort and threading fields, in UID order. */
    Flux<SortRow> sortFields(long accountId, long mailboxId);

    /** Where a text query looks. */
    enum Scope {
        /** One header field, named by {@link TextQuery#field()}: FROM, TO, CC, BCC, SUBJECT and HEADER. */
        FIELD,
        /** The decoded body text: BODY. */
        BODY,
        /** Header or body: TEXT. */
        TEXT
    }

    /**
     * One text search key.
     *
     * @param scope where to look
     * @param field the header field name, lower-cased, for {@link Scope#FIELD}; null otherwise
     * @param text the string to find, already in the search form of the stored text (NFKC, lower case in
     *     {@link Locale#ROOT}, as the gateway's indexer wrote {@code header_text} and {@code body_text}); empty matches
     *     every message that has the field (RFC 3501 §6.4.4 HEADER with an empty string) or facts at all
     */
    record TextQuery(Scope scope, @Nullable String field, String text) {
        public TextQuery {
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(text, "text");
            if ((scope == Scope.FIELD) != (field != null)) {
                throw new IllegalArgumentException("a field is named exactly when the scope is FIELD");
            }
            if (field != null && (field.isEmpty() || !field.equals(field.toLowerCase(Locale.ROOT))
                    || field.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 0x7f))) {
                // RFC 5322 §2.2 field-name = 1*ftext (printable US-ASCII but ":").
                throw new IllegalArgumentException("not a lower-case header field name: " + field);
            }
        }

        public static TextQuery field(String name, String text) {
            return new TextQuery(Scope.FIELD, name, text);
        }

        public static TextQuery body(String text) {
            return new TextQuery(Scope.BODY, null, text);
        }

        public static TextQuery text(String text) {
            return new TextQuery(Scope.TEXT, null, text);
        }
    }

    /**
     * One message's sort fields.
     *
     * @param subject the Subject field as stored in the header text (decoded, lower-cased), empty when absent: THREAD
     *     needs to know whether the original subject marked a reply or forward (RFC 5256 §3 REFERENCES step 5)
     * @param date the first Date field as stored in the header text (lower-cased), empty when absent: SEARCH SENT*
     *     compares the day it names in its own zone (RFC 3501 §6.4.4), which {@link MessageFacts.SortFields#sentDate}
     *     (an instant) no longer knows
     */
    record SortRow(long uid, MessageFacts.SortFields sort, String subject, String date) {
        public SortRow {
            Objects.requireNonNull(sort, "sort");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(date, "date");
        }
    }
}
