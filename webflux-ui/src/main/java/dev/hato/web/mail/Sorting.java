package dev.hato.web.mail;

import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.MessageSearch;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * How a message list is ordered, as IMAP SORT (RFC 5256, RFC 5957) orders it: by arrival (the default, newest
 * first), sent date (the Date field; the arrival time when it has none), sender (its display name, else its
 * address), base subject ("Re:" and "Fwd:" removed), or size; UID breaks ties. Every order but arrival reads the
 * folder's sort fields, as IMAP SORT does, and pages by position. {@link Key#THREAD} is the thread view
 * ({@link Threads}): conversations by their latest arrival.
 */
record Sorting(Key key, boolean ascending) {

    enum Key { ARRIVAL, DATE, FROM, SUBJECT, SIZE, THREAD }

    static final Sorting NEWEST_FIRST = new Sorting(Key.ARRIVAL, false);

    /** From {@code ?sort=} and {@code ?order=}; anything unknown is the default. */
    static Sorting of(Optional<String> sort, Optional<String> order) {
        Key key = sort.map(text -> {
            try {
                return Key.valueOf(text.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return Key.ARRIVAL;
            }
        }).orElse(Key.ARRIVAL);
        boolean ascending = order.filter("asc"::equals).isPresent()
                || order.isEmpty() && (key == Key.FROM || key == Key.SUBJECT);
        return new Sorting(key, ascending);
    }

    /** The query parameters that ask for this order (empty for the default). */
    String parameters() {
        return this.equals(NEWEST_FIRST) ? "" : "sort=" + key.name().toLowerCase(Locale.ROOT) + "&order="
                + (ascending ? "asc" : "desc");
    }

    public String keyName() {
        return key.name().toLowerCase(Locale.ROOT);
    }

    /** One message as it is sorted: its UID, size and arrival, and its sort fields when the order needs them. */
    record Row(long uid, long size, Instant arrival, MessageSearch.@Nullable SortRow fields) { }

    Comparator<Row> comparator() {
        Comparator<Row> order = switch (key) {
            // A conversation is placed by its latest message's arrival (Threads).
            case ARRIVAL, THREAD -> Comparator.comparing(Row::arrival);
            case SIZE -> Comparator.comparingLong(Row::size);
            case DATE -> Comparator.comparing(row -> sent(row));
            case FROM -> Comparator.comparing(Sorting::sender);
            case SUBJECT -> Comparator.comparing(row -> row.fields() == null ? ""
                    : row.fields().sort().baseSubject());
        };
        order = order.thenComparingLong(Row::uid);
        return ascending ? order : order.reversed();
    }

    private static Instant sent(Row row) {
        MessageFacts.SortFields fields = row.fields() == null ? null : row.fields().sort();
        return fields != null && fields.sentDate() != null ? fields.sentDate() : row.arrival();
    }

    private static String sender(Row row) {
        if (row.fields() == null) {
            return "";
        }
        MessageFacts.SortFields fields = row.fields().sort();
        String display = fields.displayFrom();
        return (display != null && !display.isEmpty() ? display : fields.from()).toLowerCase(Locale.ROOT);
    }

    static Row row(MessageMeta meta, MessageSearch.@Nullable SortRow fields) {
        return new Row(meta.uid(), meta.size(), meta.internalDate(), fields);
    }
}
