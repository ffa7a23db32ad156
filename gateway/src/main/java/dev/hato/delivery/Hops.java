package dev.hato.delivery;

import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The trace a received message already carries, as its header section was scanned on the way in: how many
 * {@code Received} fields, and the addresses of its {@code Delivered-To} fields (lower-case).
 */
public record Hops(int receivedFields, Set<String> deliveredTo) {

    /** A message nobody scanned (nothing to say about loops). */
    public static final Hops NONE = new Hops(0, Set.of());

    public Hops {
        if (receivedFields < 0) {
            throw new IllegalArgumentException("a count of fields is not negative");
        }
        deliveredTo = Set.copyOf(deliveredTo);
    }

    /** The first of {@code addresses} (any case) that a {@code Delivered-To} field names, or null. */
    public @Nullable String deliveredToAnyOf(Iterable<String> addresses) {
        for (String address : addresses) {
            if (deliveredTo.contains(address.toLowerCase(Locale.ROOT))) {
                return address;
            }
        }
        return null;
    }
}
