package dev.hato.delivery;

import dev.hato.dsn.DeliveryReports;
import dev.hato.store.queue.Envelope;

/**
 * A message a protocol accepted and hands to the pipeline: its spooled content (the pipeline owns the spool from
 * then on and discards it), its envelope with the body type the content really has, whether its sender logged in
 * (what a success report may quote depends on it), the recipients admitted for it, and the trace it carried.
 *
 * @param id a short identifier of the message for logs and replies
 * @param quarantine whether the local copies go to each recipient's Junk mailbox (DMARC p=quarantine), not INBOX
 */
public record InboundMessage(String id, Envelope envelope, DeliveryReports.Origin origin, MessageSpool spool,
                             AcceptedRecipients recipients, Hops hops, boolean quarantine) {

    /** A message for the recipients' INBOXes. */
    public InboundMessage(String id, Envelope envelope, DeliveryReports.Origin origin, MessageSpool spool,
                          AcceptedRecipients recipients, Hops hops) {
        this(id, envelope, origin, spool, recipients, hops, false);
    }
}
