package dev.hato.store.queue;

import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A recipient outside Hato's domains that a message is queued for, with its DSN parameters (RFC 3461 §4.1 NOTIFY,
 * §4.2 ORCPT). An empty {@code notifyOn} means the client gave no NOTIFY: the outbound side then reports failures
 * and delays, as RFC 3461 §4.1 leaves to the server.
 *
 * @param orcpt  the original recipient as {@code addr-type;xtext-decoded-address} (e.g. {@code rfc822;a@b.example}),
 *               or null
 * @param sender the envelope sender this recipient's copy leaves with, when it is not the message's own (a
 *               forwarded copy's SRS address); null for the message's sender
 * @param transport the legacy system whose MTA takes this recipient's mail (issue 17: a person of a local domain
 *               still served there), instead of the MX hosts of its domain or the smarthost; null: the usual route
 */
public record OutboundRecipient(String address, Set<Notify> notifyOn, @Nullable String orcpt,
                                @Nullable String sender, @Nullable String transport) {

    /** RFC 3461 §4.1 NOTIFY values; NEVER is never combined with another. */
    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }

    public OutboundRecipient {
        if (address.isEmpty()) {
            throw new IllegalArgumentException("an outbound recipient needs an address");
        }
        notifyOn = notifyOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(notifyOn));
        if (notifyOn.contains(Notify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER cannot be combined with other values");
        }
    }

    public OutboundRecipient(String address, Set<Notify> notifyOn, @Nullable String orcpt,
                             @Nullable String sender) {
        this(address, notifyOn, orcpt, sender, null);
    }

    public OutboundRecipient(String address, Set<Notify> notifyOn, @Nullable String orcpt) {
        this(address, notifyOn, orcpt, null, null);
    }

    public OutboundRecipient(String address) {
        this(address, Set.of(), null);
    }

    /** This recipient, leaving with {@code newSender} as its envelope sender. */
    public OutboundRecipient withSender(String newSender) {
        return new OutboundRecipient(address, notifyOn, orcpt, newSender, transport);
    }

    /** This recipient, relayed to the MTA of the legacy system {@code backend}. */
    public OutboundRecipient viaLegacy(String backend) {
        return new OutboundRecipient(address, notifyOn, orcpt, sender, backend);
    }

    /** Whether a DSN of this kind goes to the sender (RFC 3461 §4.1, with FAILURE and DELAY as the default). */
    public boolean wants(Notify kind) {
        if (notifyOn.isEmpty()) {
            return kind == Notify.FAILURE || kind == Notify.DELAY;
        }
        return notifyOn.contains(kind);
    }
}
