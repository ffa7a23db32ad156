package dev.hato.imap.search;

import dev.hato.store.mail.MessageMeta;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The selected mailbox as one session sees it when a SEARCH, SORT or THREAD runs.
 *
 * @param messages the session's messages in sequence-number order (message {@code i} has sequence number
 *     {@code i + 1}), which is ascending UID order
 * @param recentUids the UIDs that are \Recent in this session (RFC 3501 §2.3.2)
 * @param savedResult the UIDs of the RFC 5182 saved search result ({@code $}), empty when none was saved
 * @param zone the server's time zone: BEFORE, ON and SINCE compare the internal date's day in it (RFC 3501 §6.4.4
 *     "disregarding time and timezone"), the day FETCH INTERNALDATE shows, since the internal date is kept as an
 *     instant and shown in this zone; SENT* compare the Date field's day in the field's own zone instead
 * @param now the time OLDER and YOUNGER count back from (RFC 5032)
 */
public record SearchContext(long accountId, long mailboxId, List<MessageMeta> messages, Set<Long> recentUids,
                            List<Long> savedResult, ZoneId zone, Instant now) {
    public SearchContext {
        messages = List.copyOf(messages);
        recentUids = Set.copyOf(recentUids);
        savedResult = List.copyOf(savedResult);
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(now, "now");
        long previous = 0;
        for (MessageMeta message : messages) {
            if (message.uid() <= previous) {
                throw new IllegalArgumentException("messages must be in ascending UID order");
            }
            previous = message.uid();
        }
    }

    /** The UID of each message, by index (sequence number − 1). */
    long[] uids() {
        long[] uids = new long[messages.size()];
        for (int i = 0; i < uids.length; i++) {
            uids[i] = messages.get(i).uid();
        }
        return uids;
    }
}
