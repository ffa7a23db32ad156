package dev.hato.delivery;

import dev.hato.dsn.RecipientReport;
import dev.hato.dsn.ReportSender;
import dev.hato.store.mail.DeliveryReceipt;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The notifications of a delivery (RFC 3461): "delivered" and "expanded" to recipients that asked NOTIFY=SUCCESS,
 * and "failed" to those whose accounts the message would have taken over quota. They are sent after the commit,
 * quote the original from its spool, and never hold up the acknowledgement; the spool is freed once they are
 * built, or at once when the write failed or nobody gets one. A message with the null sender gets none.
 */
public final class ReportStep {

    private static final Logger LOG = LoggerFactory.getLogger(ReportStep.class);

    private final ReportSender sender;

    public ReportStep(ReportSender sender) {
        this.sender = sender;
    }

    /**
     * Subscribes on its own to {@code write} (which must be cached: the caller waits for it too), sends the
     * reports when it succeeds, and then discards the message's spool.
     */
    public void afterCommit(Mono<DeliveryReceipt> write, InboundMessage message, Instant arrival,
                            List<RecipientReport> reports) {
        write.flatMap(receipt -> reports.isEmpty() || message.envelope().nullSender() ? Mono.just(false)
                        : sender.send(message.envelope(), arrival, reports, message.spool(), message.origin()))
                .doFinally(signal -> message.spool().discard())
                .subscribe(sent -> { }, failure -> LOG.warn("delivery notification for message {} not sent: {}",
                        message.id(), failure.toString()));
    }
}
