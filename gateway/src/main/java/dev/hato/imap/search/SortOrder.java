package dev.hato.imap.search;

import dev.hato.imap.wire.ImapCommand.SortCriterion;
import dev.hato.message.AsciiCasemap;
import dev.hato.store.mail.MessageFacts.SortFields;
import dev.hato.store.mail.MessageMeta;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** RFC 5256 §3 SORT: a comparator over the searched messages from the sort criteria. */
final class SortOrder {

    /** One searched message with what sorting needs. */
    record Entry(long sequenceNumber, MessageMeta meta, SortFields fields) {
        /** RFC 5256 §2.2: the sent date, or the internal date when the Date field is missing or unparsable. */
        Instant sentDate() {
            Instant sent = fields.sentDate();
            return sent == null ? meta.internalDate() : sent;
        }
    }

    private SortOrder() {
    }

    static Comparator<Entry> of(List<SortCriterion> criteria) {
        Comparator<Entry> order = null;
        for (SortCriterion criterion : criteria) {
            Comparator<Entry> next = key(criterion);
            if (criterion.reverse()) {
                next = next.reversed();
            }
            order = order == null ? next : order.thenComparing(next);
        }
        // RFC 5256 §3: messages equal by every criterion keep their mailbox order (sequence number).
        Comparator<Entry> bySequence = Comparator.comparingLong(Entry::sequenceNumber);
        return order == null ? bySequence : order.thenComparing(bySequence);
    }

    private static Comparator<Entry> key(SortCriterion criterion) {
        return switch (criterion.key()) {
            case ARRIVAL -> Comparator.comparing(e -> e.meta().internalDate());
            case DATE -> Comparator.comparing(Entry::sentDate);
            case SIZE -> Comparator.comparingLong(e -> e.meta().size());
            case SUBJECT -> text(e -> e.fields().baseSubject());
            case FROM -> text(e -> e.fields().from());
            case TO -> text(e -> e.fields().to());
            case CC -> text(e -> e.fields().cc());
            // RFC 5957 §3: the display name, or the mailbox when there is none.
            case DISPLAYFROM -> text(e -> orElse(e.fields().displayFrom(), e.fields().from()));
            case DISPLAYTO -> text(e -> orElse(e.fields().displayTo(), e.fields().to()));
        };
    }

    private static String orElse(@Nullable String value, String fallback) {
        return value == null || value.isEmpty() ? fallback : value;
    }

    private static Comparator<Entry> text(Function<Entry, String> field) {
        return Comparator.comparing(field, AsciiCasemap.ORDER);
    }
}
