package dev.hato.outbound;

import dev.hato.maillog.MailEvent;
import dev.hato.maillog.MailLog;
import dev.hato.outbound.client.RecipientResult;
import dev.hato.store.queue.QueuedRecipient;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the queue runner tells the mail log of one attempt at one recipient: relayed (the remote host and its
 * reply), deferred (why, and when the next attempt is due) or bounced (why, and whether a failure notification goes
 * to the sender). Events carry the outbound queue's id of the message, which the {@code queued} event links to the
 * id it was received under.
 */
record OutboundLog(MailLog log) {

    void relayed(Instant now, QueuedRecipient queued, RecipientResult result, @Nullable String remoteMta) {
        log.record(MailEvent.of(now, MailEvent.RELAYED, null, queued.message().id(),
                "to", queued.recipient().address(), "relay", remoteMta, "reply", result.diagnostic(),
                "attempts", queued.attempts() + 1));
    }

    void deferred(Instant now, QueuedRecipient queued, RecipientResult result, @Nullable String remoteMta,
                  Instant next) {
        log.record(MailEvent.of(now, MailEvent.DEFERRED, null, queued.message().id(),
                "to", queued.recipient().address(), "relay", remoteMta, "reason", result.diagnostic(),
                "attempts", queued.attempts() + 1, "next_attempt", next.toString()));
    }

    void bounced(Instant now, QueuedRecipient queued, String reason, @Nullable String remoteMta, boolean dsn) {
        log.record(MailEvent.of(now, MailEvent.BOUNCED, null, queued.message().id(),
                "to", queued.recipient().address(), "relay", remoteMta, "reason", reason,
                "attempts", queued.attempts() + 1, "dsn", dsn));
    }
}
