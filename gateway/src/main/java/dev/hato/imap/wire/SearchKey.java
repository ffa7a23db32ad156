package dev.hato.imap.wire;

import java.time.LocalDate;
import java.util.List;

/** The parsed tree of an RFC 3501 §6.4.4 search: a list of keys is an {@link And}. */
public sealed interface SearchKey {

    /** Keys without arguments (RFC 8514 SAVEDATESUPPORTED among them). */
    enum Flag { ALL, ANSWERED, DELETED, DRAFT, FLAGGED, NEW, OLD, RECENT, SEEN, UNANSWERED, UNDELETED, UNDRAFT,
        UNFLAGGED, UNSEEN, SAVEDATESUPPORTED }

    /** Keys that search a header or the text for a string. */
    enum Field { BCC, BODY, CC, FROM, SUBJECT, TEXT, TO }

    /**
     * Keys that compare a date: internal date (BEFORE, ON, SINCE), the Date: header (SENT*) or the RFC 8514 save
     * date (SAVED*).
     */
    enum DateField { BEFORE, ON, SINCE, SENTBEFORE, SENTON, SENTSINCE, SAVEDBEFORE, SAVEDON, SAVEDSINCE }

    record Simple(Flag flag) implements SearchKey {
    }

    record Text(Field field, String value) implements SearchKey {
    }

    record Header(String field, String value) implements SearchKey {
    }

    /** KEYWORD (present) and UNKEYWORD (absent). */
    record Keyword(String flag, boolean present) implements SearchKey {
    }

    record Date(DateField field, LocalDate date) implements SearchKey {
    }

    /** LARGER (larger) and SMALLER. */
    record Size(boolean larger, long octets) implements SearchKey {
    }

    record Uid(SequenceSet set) implements SearchKey {
    }

    record Sequence(SequenceSet set) implements SearchKey {
    }

    /** RFC 7162 §3.1.5 MODSEQ, any entry name and type dropped. */
    record ModSeq(long modSeq) implements SearchKey {
    }

    /** RFC 5032 OLDER (older) and YOUNGER, in seconds. */
    record Age(boolean older, long seconds) implements SearchKey {
    }

    /** RFC 8474 §6 EMAILID: the message whose EMAILID is exactly {@code id} (object ids are case-sensitive). */
    record EmailId(String id) implements SearchKey {
    }

    /** RFC 8474 §6 THREADID. */
    record ThreadId(String id) implements SearchKey {
    }

    record Not(SearchKey key) implements SearchKey {
    }

    record Or(SearchKey left, SearchKey right) implements SearchKey {
    }

    record And(List<SearchKey> keys) implements SearchKey {
        public And {
            keys = List.copyOf(keys);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("an empty conjunction");
            }
        }
    }
}
