package dev.hato.delivery;

/**
 * The delivery pipeline's policy, whichever protocol hands it a message.
 *
 * @param maxHops        the most {@code Received:} fields a message may carry before it is refused as looping
 *                       (RFC 5321 §6.3 asks for at least 100; {@code hato.smtp.max-hops})
 * @param remoteDelivery whether recipients elsewhere are queued for outbound delivery: those an authenticated
 *                       user submits, alias and forwarding targets, and reports to senders elsewhere. Without it
 *                       they are refused.
 */
public record DeliverySettings(int maxHops, boolean remoteDelivery) {

    public DeliverySettings {
        if (maxHops < 1) {
            throw new IllegalArgumentException("max hops must be at least 1");
        }
    }

    /** 100 hops, nothing queued for elsewhere. */
    public static DeliverySettings defaults() {
        return new DeliverySettings(100, false);
    }

    public DeliverySettings withMaxHops(int hops) {
        return new DeliverySettings(hops, remoteDelivery);
    }

    public DeliverySettings withRemoteDelivery(boolean enabled) {
        return new DeliverySettings(maxHops, enabled);
    }
}
