package dev.hato.outbound;

import dev.hato.maillog.MailEvent;
import dev.hato.maillog.MailLog;
import dev.hato.outbound.client.RecipientResult;
import dev.hato.protocol.TlsParameters;
import dev.hato.store.queue.QueuedRecipient;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the queue runner tells the mail log of one attempt at one recipient: relayed (the remote host, whether the
 * connection used TLS and which, and its reply), deferred (why, the connection as for relayed when there was one,
 * and when the next attempt is due) or bounced (why, and whether a failure notification goes to the sender). Events
 * carry the outbound queue's id of the message, which the {@code queued} event links to the id it was received
 * under.
 */
record OutboundLog(MailLog log) {

    void relayed(Instant now, QueuedRecipient queued, RecipientResult result, @Nullable String remoteMta,
                 @Nullable TlsParameters tls) {
        log.record(MailEvent.of(now, MailEvent.RELAYED, null, queued.message().id(),
                "to", queued.recipient().address(), "relay", remoteMta, "transport", transport(queued),
                "tls", remoteMta == null ? null : tls != null,
                "tls_protocol", tls == null ? null : tls.protocol(),
                "tls_cipher", tls == null ? null : tls.cipherSuite(),
                "reply", result.diagnostic(), "attempts", queued.attempts() + 1));
    }

    /** {@code remoteMta} and {@code tls} describe the connection, when the attempt got as far as one. */
    void deferred(Instant now, QueuedRecipient queued, RecipientResult result, @Nullable String remoteMta,
                  @Nullable TlsParameters tls, Instant next) {
        log.record(MailEvent.of(now, MailEvent.DEFERRED, null, queued.message().id(),
                "to", queued.recipient().address(), "relay", remoteMta, "transport", transport(queued),
                "tls", remoteMta == null ? null : tls != null,
                "tls_protocol", tls == null ? null : tls.protocol(),
                "tls_cipher", tls == null ? null : tls.cipherSuite(),
                "reason", result.diagnostic(), "attempts", queued.attempts() + 1, "next_attempt", next.toString()));
    }

    void bounced(Instant now, QueuedRecipient queued, String reason, @Nullable String remoteMta, boolean dsn) {
        log.record(MailEvent.of(now, MailEvent.BOUNCED, null, queued.message().id(),
                "to", queued.recipient().address(), "relay", remoteMta, "transport", transport(queued),
                "reason", reason, "attempts", queued.attempts() + 1, "dsn", dsn));
    }

    /** {@code legacy:NAME} for a recipient relayed to a legacy system's MTA (issue 17); null otherwise. */
    private static @Nullable String transport(QueuedRecipient queued) {
        return queued.recipient().transport() == null ? null : queued.destination();
    }
}
