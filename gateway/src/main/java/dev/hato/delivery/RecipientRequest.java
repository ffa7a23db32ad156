package dev.hato.delivery;

import dev.hato.store.queue.OutboundRecipient;
import java.util.EnumSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * One recipient a client asks for (an SMTP RCPT), with its RFC 3461 DSN parameters.
 *
 * @param address  the address as the client wrote it, {@code local@domain}
 * @param notifyOn NOTIFY (RFC 3461 §4.1); empty when the client gave none
 * @param orcpt    ORCPT as {@code addr-type;decoded-address} (RFC 3461 §4.2), or null
 * @param utf8     whether the transaction announced SMTPUTF8 (RFC 6531): the type of a generated ORCPT
 * @param mayRelay whether the sender may send to other domains at all (an authenticated submission); otherwise
 *                 only local addresses are accepted
 */
public record RecipientRequest(String address, Set<OutboundRecipient.Notify> notifyOn, @Nullable String orcpt,
                               boolean utf8, boolean mayRelay) {

    public RecipientRequest {
        notifyOn = notifyOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(notifyOn));
    }

    /**
     * The ORCPT that copies sent on elsewhere carry: the client's, or else the address the client used (a
     * forwarded or expanded copy names the address the client gave as its original recipient).
     */
    String onwardOrcpt() {
        return orcpt != null ? orcpt : (utf8 ? "utf-8;" : "rfc822;") + address;
    }
}
