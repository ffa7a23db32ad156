package dev.hato.delivery;

import dev.hato.maillog.MailLog;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The path every received message takes, whichever protocol received it (ARCHITECTURE.md: resolve → expand →
 * filter → append). Before the content, each requested recipient is {@linkplain #admit admitted}: resolve, expand
 * (aliases, catch-all, plus-addressing, forwarding), route (local, elsewhere, relay), quota. At the end of the
 * message it is {@linkplain #deliver delivered}: loop detection, per-recipient filtering, quota, append to the local
 * mailboxes and queue for elsewhere in one commit, then the RFC 3461 notifications. The protocol turns the verdicts
 * into its replies; lists, Sieve and migration add steps here.
 */
public final class DeliveryPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryPipeline.class);

    /** The steps, in the order a recipient or message meets them. */
    public record Steps(ResolveStep resolve, ExpandStep expand, RouteStep route, QuotaStep quota, LoopStep loops,
                        FilterStep filter, StoreStep store, ReportStep reports) { }

    private final Steps steps;
    /** The resolve and expand steps together, as the generated path uses them too. */
    private final RecipientResolver resolver;
    private final Clock clock;
    private final MailLog mailLog;

    public DeliveryPipeline(Steps steps, Clock clock) {
        this(steps, clock, MailLog.NONE);
    }

    /** A pipeline that records in {@code mailLog} where each committed message went. */
    public DeliveryPipeline(Steps steps, Clock clock, MailLog mailLog) {
        this.steps = steps;
        this.resolver = new RecipientResolver(steps.resolve(), steps.expand());
        this.clock = clock;
        this.mailLog = mailLog;
    }

    /**
     * Decides on one requested recipient of the message being received and, when it is admitted, records it in
     * {@code recipients}. Errors when the directory or the quotas cannot be read right now.
     */
    public Mono<Admission> admit(AcceptedRecipients recipients, RecipientRequest request) {
        return resolver.resolve(request.address())
                .map(recipient -> steps.route().route(recipient, request))
                .flatMap(admission -> admission instanceof Admission.Admitted admitted
                        ? steps.quota().admit(recipients, admitted)
                        : Mono.just(admission))
                .doOnNext(admission -> {
                    if (admission instanceof Admission.Admitted admitted) {
                        recipients.accept(request, admitted);
                    }
                });
    }

    /**
     * Delivers a message whose content is complete and acceptable to its protocol. The result is emitted after the
     * commit (or the refusal); it never errors: a failure of the store is a temporary {@link RecipientVerdict.Failed}
     * for every recipient. The spool is discarded whatever happens.
     */
    public Mono<DeliveryResult> deliver(InboundMessage message) {
        MessageSpool spool = message.spool();
        AcceptedRecipients recipients = message.recipients();
        DeliveryReply loop = steps.loops().check(message.hops(), recipients.forwardedBy());
        if (loop != null) {
            spool.discard();
            return Mono.just(DeliveryResult.refused(recipients, loop));
        }
        return steps.filter().filter(message, recipients.accountsInOrder())
                .flatMap(accounts -> steps.quota().overQuota(recipients, accounts, spool.size()).flatMap(over -> {
                    if (!over.isEmpty() && over.size() == accounts.size() && !recipients.queuesOutbound()) {
                        spool.discard();
                        return Mono.just(DeliveryResult.refused(recipients, new DeliveryReply(552, "5.2.2",
                                "Mailbox full: the message exceeds the quota of every recipient")));
                    }
                    return write(message, accounts, over);
                }))
                .onErrorResume(failure -> {
                    spool.discard();
                    LOG.warn("quota lookup for message {} failed: {}", message.id(), failure.toString());
                    return Mono.just(DeliveryResult.refused(recipients, new DeliveryReply(451, "4.3.0",
                            "Temporary lookup failure, try again later")));
                });
    }

    /**
     * Commits the message for the accounts within quota and the recipients elsewhere; those in {@code over} get a
     * failure notification (unless they asked NOTIFY=NEVER) with the success ones.
     */
    private Mono<DeliveryResult> write(InboundMessage message, List<Long> filtered, Set<Long> over) {
        AcceptedRecipients recipients = message.recipients();
        List<Long> accounts = filtered.stream().filter(account -> !over.contains(account)).toList();
        List<OutboundRecipient> outbound = recipients.outbound();
        // The write must not be cancelled by a client that hangs up while it waits for its answer: its batch may
        // already be reading the spool, and other sessions' messages share that transaction. So the write runs on
        // the report step's own subscription, and the spool is freed only when the write is over.
        Instant arrival = clock.instant();
        Mono<DeliveryReceipt> write = message.spool().finish()
                .flatMap(content -> steps.store().store(content, message.spool().facts(), accounts, arrival,
                        message.envelope(), outbound, message.quarantine()))
                .cache();
        steps.reports().afterCommit(write, message, arrival, recipients.reports(over));
        return write
                .map(receipt -> {
                    DeliveryResult result = new DeliveryResult(verdicts(recipients, accounts),
                            receipt.messages().size(), outbound.size());
                    DeliveryLog.committed(mailLog, clock.instant(), message, receipt, result);
                    return result;
                })
                .onErrorResume(failure -> {
                    LOG.warn("delivery of message {} failed: {}", message.id(), failure.toString());
                    return Mono.just(DeliveryResult.refused(recipients, new DeliveryReply(451, "4.3.0",
                            "Message not stored (temporary storage failure), try again later")));
                });
    }

    /** Per recipient: stored in one of {@code stored}, else queued, else over quota. */
    private static List<RecipientVerdict> verdicts(AcceptedRecipients recipients, List<Long> stored) {
        Set<Long> got = new HashSet<>(stored);
        List<RecipientVerdict> verdicts = new ArrayList<>();
        for (AcceptedRecipients.Reached reached : recipients.reached()) {
            if (reached.accounts().stream().anyMatch(got::contains)) {
                verdicts.add(new RecipientVerdict.Delivered(reached.address()));
            } else if (!reached.remote().isEmpty()) {
                verdicts.add(new RecipientVerdict.Queued(reached.address()));
            } else {
                verdicts.add(new RecipientVerdict.Failed(reached.address(), QuotaStep.QUOTA_EXCEEDED));
            }
        }
        return verdicts;
    }
}
