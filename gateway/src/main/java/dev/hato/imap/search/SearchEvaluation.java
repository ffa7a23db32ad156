package dev.hato.imap.search;

import dev.hato.imap.fetch.ObjectIds;
import dev.hato.imap.wire.SearchKey;
import dev.hato.imap.wire.SequenceSet;
import dev.hato.message.SentDate;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.MessageSearch.SortRow;
import dev.hato.store.mail.MessageSearch.TextQuery;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates a search key tree over the messages of a {@link SearchContext}, once the store has answered its text keys
 * ({@code textMatches}: the UIDs each query found) and, when SENT* keys are present, the sent dates. Messages are
 * bits by index (sequence number − 1). Pure and synchronous: it runs on whatever thread completes the store queries.
 */
final class SearchEvaluation {

    private final SearchContext context;
    private final List<MessageMeta> messages;
    private final long[] uids;
    private final int size;
    private final Map<TextQuery, long[]> textMatches;
    private final Map<Long, SortRow> sortRows;

    SearchEvaluation(SearchContext context, Map<TextQuery, long[]> textMatches, Map<Long, SortRow> sortRows) {
        this.context = context;
        this.messages = context.messages();
        this.uids = context.uids();
        this.size = uids.length;
        this.textMatches = textMatches;
        this.sortRows = sortRows;
    }

    BitSet matches(SearchKey key) {
        if (key instanceof SearchKey.Simple simple) {
            return simple(simple.flag());
        }
        if (key instanceof SearchKey.Text text) {
            return uidsToBits(textMatches.get(ImapSearch.query(text)));
        }
        if (key instanceof SearchKey.Header header) {
            TextQuery query = ImapSearch.query(header);
            return query == null ? new BitSet() : uidsToBits(textMatches.get(query));
        }
        if (key instanceof SearchKey.Keyword keyword) {
            BitSet bits = where(m -> hasFlag(m, keyword.flag()));
            return keyword.present() ? bits : not(bits);
        }
        if (key instanceof SearchKey.Date date) {
            return date(date);
        }
        if (key instanceof SearchKey.Size sizeKey) {
            return sizeKey.larger() ? where(m -> m.size() > sizeKey.octets()) : where(m -> m.size() < sizeKey.octets());
        }
        if (key instanceof SearchKey.Uid uid) {
            return uids(uid.set());
        }
        if (key instanceof SearchKey.Sequence sequence) {
            return sequence(sequence.set());
        }
        if (key instanceof SearchKey.ModSeq modSeq) {
            // RFC 7162 §3.1.5: messages with a mod-sequence equal to or greater than the one given.
            return where(m -> m.modseq() >= modSeq.modSeq());
        }
        if (key instanceof SearchKey.Age age) {
            return age(age);
        }
        if (key instanceof SearchKey.EmailId emailId) {
            return where(m -> ObjectIds.emailId(m).equals(emailId.id()));
        }
        if (key instanceof SearchKey.ThreadId) {
            return new BitSet(); // RFC 8474 §5.2: without THREADID, "a SEARCH for THREADID MUST NOT match any messages"
        }
        if (key instanceof SearchKey.Not not) {
            return not(matches(not.key()));
        }
        if (key instanceof SearchKey.Or or) {
            BitSet bits = matches(or.left());
            bits.or(matches(or.right()));
            return bits;
        }
        SearchKey.And and = (SearchKey.And) key;
        BitSet bits = matches(and.keys().get(0));
        for (SearchKey part : and.keys().subList(1, and.keys().size())) {
            bits.and(matches(part));
        }
        return bits;
    }

    /**
     * RFC 5032 §2: the target is the server's current time minus the interval; OLDER matches an INTERNALDATE "less
     * recent than or equal to" it, YOUNGER one "more recent than or equal to" it, so a message exactly at the target
     * matches both. "Exact matching, to the resolution of a second": both times are compared in whole seconds (the
     * resolution of FETCH INTERNALDATE), as instants, so the zone an APPEND date-time was given in plays no part.
     */
    private BitSet age(SearchKey.Age age) {
        Instant target = context.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(age.seconds());
        return age.older()
                ? where(m -> !m.internalDate().truncatedTo(ChronoUnit.SECONDS).isAfter(target))
                : where(m -> !m.internalDate().truncatedTo(ChronoUnit.SECONDS).isBefore(target));
    }

    private BitSet simple(SearchKey.Flag flag) {
        return switch (flag) {
            case ALL -> all();
            case ANSWERED -> where(m -> hasFlag(m, "\\Answered"));
            case DELETED -> where(m -> hasFlag(m, "\\Deleted"));
            case DRAFT -> where(m -> hasFlag(m, "\\Draft"));
            case FLAGGED -> where(m -> hasFlag(m, "\\Flagged"));
            case SEEN -> where(m -> hasFlag(m, "\\Seen"));
            case RECENT -> where(this::isRecent);
            // RFC 3501 §6.4.4: NEW is "(RECENT UNSEEN)", OLD is "NOT RECENT".
            case NEW -> where(m -> isRecent(m) && !hasFlag(m, "\\Seen"));
            case OLD -> where(m -> !isRecent(m));
            case UNANSWERED -> where(m -> !hasFlag(m, "\\Answered"));
            case UNDELETED -> where(m -> !hasFlag(m, "\\Deleted"));
            case UNDRAFT -> where(m -> !hasFlag(m, "\\Draft"));
            case UNFLAGGED -> where(m -> !hasFlag(m, "\\Flagged"));
            case UNSEEN -> where(m -> !hasFlag(m, "\\Seen"));
            // RFC 8514 §4.3: every mailbox of this store keeps save dates (a message stored before it did has none,
            // and the SAVED* keys compare its internal date instead).
            case SAVEDATESUPPORTED -> all();
        };
    }

    private boolean isRecent(MessageMeta message) {
        return context.recentUids().contains(message.uid());
    }

    /** Flags compare without regard to case (RFC 3501 §2.3.2 keywords; RFC 9051 §2.3.2 says so outright). */
    private static boolean hasFlag(MessageMeta message, String flag) {
        Set<String> flags = message.flags();
        if (flags.contains(flag)) {
            return true;
        }
        for (String present : flags) {
            if (present.equalsIgnoreCase(flag)) {
                return true;
            }
        }
        return false;
    }

    private BitSet date(SearchKey.Date key) {
        LocalDate wanted = key.date();
        return switch (key.field()) {
            case BEFORE -> where(m -> internalDay(m).isBefore(wanted));
            case ON -> where(m -> internalDay(m).isEqual(wanted));
            case SINCE -> where(m -> !internalDay(m).isBefore(wanted));
            // A message without a (parsable) Date field matches no SENT* key: it has no date to compare.
            case SENTBEFORE -> where(m -> {
                LocalDate sent = sentDay(m);
                return sent != null && sent.isBefore(wanted);
            });
            case SENTON -> where(m -> wanted.equals(sentDay(m)));
            case SENTSINCE -> where(m -> {
                LocalDate sent = sentDay(m);
                return sent != null && !sent.isBefore(wanted);
            });
            case SAVEDBEFORE -> where(m -> savedDay(m).isBefore(wanted));
            case SAVEDON -> where(m -> savedDay(m).isEqual(wanted));
            case SAVEDSINCE -> where(m -> !savedDay(m).isBefore(wanted));
        };
    }

    /**
     * RFC 8514 §4.3: the save date's day "disregarding time and timezone", taken as the internal date's is (the day
     * FETCH SAVEDATE shows, in the server's zone). A message whose save date is not known (stored before the store
     * kept it) is compared by its internal date, the fallback §4.3 requires where save dates are not supported.
     */
    private LocalDate savedDay(MessageMeta message) {
        Instant saved = message.saveDate();
        return saved == null ? internalDay(message) : saved.atZone(context.zone()).toLocalDate();
    }

    private LocalDate internalDay(MessageMeta message) {
        return message.internalDate().atZone(context.zone()).toLocalDate();
    }

    /**
     * RFC 3501 §6.4.4: the Date field's day "disregarding time and timezone", that is the day written in the field,
     * in its own zone (not the server's: 23:30 at -0700 on 1 July is 1 July). Null without a parsable Date field.
     */
    private @Nullable LocalDate sentDay(MessageMeta message) {
        SortRow row = sortRows.get(message.uid());
        return row == null ? null : SentDate.day(row.date());
    }

    /** RFC 3501 §6.4.8: "*" is the largest UID in use; a range n:* always includes it. */
    private BitSet uids(SequenceSet set) {
        if (set.saved()) {
            return saved();
        }
        BitSet bits = new BitSet(size);
        if (size == 0) {
            return bits;
        }
        long largest = uids[size - 1];
        for (SequenceSet.Range range : set.ranges()) {
            long from = range.from() == SequenceSet.STAR ? largest : range.from();
            long to = range.to() == SequenceSet.STAR ? largest : range.to();
            long low = Math.min(from, to);
            long high = Math.max(from, to);
            int start = insertionPoint(low);
            int end = insertionPoint(high + 1);
            bits.set(start, end);
        }
        return bits;
    }

    /** The first index whose UID is at least {@code uid}. */
    private int insertionPoint(long uid) {
        int i = Arrays.binarySearch(uids, uid);
        return i >= 0 ? i : -i - 1;
    }

    /** RFC 3501 §9 seq-number: "*" is the number of messages; numbers past it select nothing. */
    private BitSet sequence(SequenceSet set) {
        if (set.saved()) {
            return saved();
        }
        BitSet bits = new BitSet(size);
        if (size == 0) {
            return bits;
        }
        for (SequenceSet.Range range : set.ranges()) {
            long from = range.from() == SequenceSet.STAR ? size : range.from();
            long to = range.to() == SequenceSet.STAR ? size : range.to();
            long low = Math.min(from, to);
            long high = Math.min(Math.max(from, to), size);
            if (low <= high) {
                bits.set((int) low - 1, (int) high);
            }
        }
        return bits;
    }

    /** RFC 5182 §2.1: "$" is the saved result; expunged messages have already left it. */
    private BitSet saved() {
        long[] saved = context.savedResult().stream().mapToLong(Long::longValue).sorted().toArray();
        return uidsToBits(saved);
    }

    private BitSet uidsToBits(long @Nullable [] found) {
        BitSet bits = new BitSet(size);
        if (found == null) {
            return bits;
        }
        for (long uid : found) {
            int i = Arrays.binarySearch(uids, uid);
            if (i >= 0) {
                bits.set(i);
            }
        }
        return bits;
    }

    private BitSet all() {
        BitSet bits = new BitSet(size);
        bits.set(0, size);
        return bits;
    }

    private BitSet not(BitSet bits) {
        BitSet flipped = (BitSet) bits.clone();
        flipped.flip(0, size);
        return flipped;
    }

    private BitSet where(Predicate<MessageMeta> predicate) {
        BitSet bits = new BitSet(size);
        for (int i = 0; i < size; i++) {
            if (predicate.test(messages.get(i))) {
                bits.set(i);
            }
        }
        return bits;
    }
}
