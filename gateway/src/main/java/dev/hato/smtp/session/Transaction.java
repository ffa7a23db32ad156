package dev.hato.smtp.session;

import dev.hato.delivery.AcceptedRecipients;
import dev.hato.delivery.MessageSpool;
import dev.hato.dsn.DeliveryReports;
import dev.hato.inbound.InboundAuthenticator;
import dev.hato.smtp.wire.ContentChecks;
import dev.hato.store.queue.Envelope;
import org.jspecify.annotations.Nullable;

/**
 * One mail transaction (RFC 5321 §3.3), from MAIL to the end of its message: the envelope, the recipients the
 * delivery pipeline admitted, and the message's content as it is received (spool, streaming checks, size so far).
 */
final class Transaction {
    final Envelope envelope;
    /** Whether the sender logged in: what a success report to the envelope sender may quote depends on it. */
    final DeliveryReports.Origin origin;
    /** The recipients the delivery pipeline admitted. */
    final AcceptedRecipients recipients = new AcceptedRecipients();
    @Nullable MessageSpool spool;
    @Nullable ContentChecks checks;
    /** Inbound authentication of the content (MTA role, no login), when enabled. */
    InboundAuthenticator.@Nullable Check authentication;
    /** The content goes through the spam filter (MTA role, no login), when there is one. */
    boolean spamChecked;
    /**
     * With {@link #authentication} or {@link #spamChecked}: the Return-Path field, spooled at the end in front of
     * Authentication-Results and the spam filter's fields.
     */
    byte[] returnPath = new byte[0];
    /** What the spam filter said of the content, for the mail log; null when it was not asked. */
    @Nullable String spam;
    /** The content comes in BDAT chunks (RFC 3030), not DATA: the stage its refusals are logged at. */
    boolean chunked;
    long chunkedSize;
    boolean chunkedExceeded;
    String id = "";
    boolean failed;

    Transaction(Envelope envelope, DeliveryReports.Origin origin) {
        this.envelope = envelope;
        this.origin = origin;
    }
}
