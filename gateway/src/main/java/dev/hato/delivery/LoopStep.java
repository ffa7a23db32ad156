package dev.hato.delivery;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Loop detection (RFC 5321 §6.3): a message that has gone round too often (its {@code Received} fields), or came
 * back to an address whose alias or forwarding sent it on (a {@code Delivered-To} field naming it), is refused
 * for good.
 */
public final class LoopStep {

    private final int maxHops;

    public LoopStep(int maxHops) {
        if (maxHops < 1) {
            throw new IllegalArgumentException("max hops must be at least 1");
        }
        this.maxHops = maxHops;
    }

    /** The refusal for a looping message, or null when it may be delivered. */
    public @Nullable DeliveryReply check(Hops hops, Collection<String> forwardedBy) {
        // Our own Received field is not in the content: one more hop.
        int received = hops.receivedFields() + 1;
        if (received > maxHops) {
            return new DeliveryReply(554, "5.4.6", "Message refused: too many hops (" + received
                    + " Received fields), probably a mail loop");
        }
        String looped = hops.deliveredToAnyOf(forwardedBy);
        if (looped != null) {
            return new DeliveryReply(554, "5.4.6", "Message refused: mail forwarding loop for <" + looped + ">");
        }
        return null;
    }
}
