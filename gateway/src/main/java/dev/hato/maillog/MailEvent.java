package dev.hato.maillog;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One event in the story of a message: what happened ({@code event}), when, to which message ({@code id}, the
 * identifier Hato gives a received message, as in its {@code 250} reply and Received field; {@code queueId}, the
 * outbound queue's number once it is queued), and the facts of the event in a fixed order (strings, numbers,
 * booleans, lists of strings). Absent facts are left out.
 */
public record MailEvent(Instant time, String event, @Nullable String id, @Nullable Long queueId,
                        Map<String, Object> fields) {

    /** The kinds of event. */
    public static final String RECEIVED = "received";
    public static final String DELIVERED = "delivered";
    public static final String QUEUED = "queued";
    public static final String RELAYED = "relayed";
    public static final String DEFERRED = "deferred";
    public static final String BOUNCED = "bounced";
    public static final String REJECTED = "rejected";
    public static final String APPENDED = "appended";

    public MailEvent {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** An event with its facts as name, value, name, value… (null values are left out). */
    public static MailEvent of(Instant time, String event, @Nullable String id, @Nullable Long queueId,
                               @Nullable Object... namesAndValues) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
            Object value = namesAndValues[i + 1];
            if (value != null) {
                Object name = namesAndValues[i];
                fields.put(String.valueOf(name), value instanceof List<?> list ? List.copyOf(list) : value);
            }
        }
        return new MailEvent(time, event, id, queueId, fields);
    }
}
