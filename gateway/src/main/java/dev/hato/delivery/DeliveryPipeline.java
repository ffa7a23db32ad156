package dev.hato.delivery;

import dev.hato.maillog.MailLog;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.queue.OutboundRecipient;
import java.time.Clock;
import java.time.Instant;
import dev.hato.store.mail.Copy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
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
    private final @Nullable Srs srs;

    public DeliveryPipeline(Steps steps, Clock clock) {
        this(steps, clock, MailLog.NONE);
    }

    /** A pipeline that records in {@code mailLog} where each committed message went. */
    public DeliveryPipeline(Steps steps, Clock clock, MailLog mailLog) {
        this(steps, clock, mailLog, null);
    }

    /**
     * As above; {@code srs}, when given, rewrites the envelope sender of forwarded and redirected copies whose
     * sender is of another domain, so that they pass SPF where they arrive and their bounces come back (issue 16).
     */
    public DeliveryPipeline(Steps steps, Clock clock, MailLog mailLog, @Nullable Srs srs) {
        this.steps = steps;
        this.resolver = new RecipientResolver(steps.resolve(), steps.expand());
        this.clock = clock;
        this.mailLog = mailLog;
        this.srs = srs;
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
        List<Long> accounts = recipients.accountsInOrder();
        return spool.finish()
                .flatMap(content -> steps.filter().filter(message, content, accounts))
                .flatMap(decision -> {
                    DeliveryReply refusal = refusalOf(decision, accounts, recipients);
                    if (refusal != null) {
                        spool.discard();
                        return Mono.just(DeliveryResult.refused(recipients, refusal));
                    }
                    return redirects(message, decision).flatMap(onward -> steps.quota()
                            .overQuota(recipients, decision.storing(), spool.size())
                            .flatMap(over -> {
                                if (!over.isEmpty() && over.size() == accounts.size() && onward.isEmpty()
                                        && !recipients.queuesOutbound()) {
                                    spool.discard();
                                    return Mono.just(DeliveryResult.refused(recipients, new DeliveryReply(552,
                                            "5.2.2", "Mailbox full: the message exceeds the quota of every "
                                                    + "recipient")));
                                }
                                return outbound(message, onward).flatMap(outbound ->
                                        write(message, decision, onward.copies(), outbound, over));
                            }));
                })
                .onErrorResume(failure -> {
                    spool.discard();
                    LOG.warn("filtering or quota lookup for message {} failed: {}", message.id(), failure.toString());
                    return Mono.just(DeliveryResult.refused(recipients, new DeliveryReply(451, "4.3.0",
                            "Temporary lookup failure, try again later")));
                });
    }

    /**
     * The refusal of the whole message at the protocol level (RFC 5429 §2.1): when every account's script rejected
     * it and nothing of it goes elsewhere, and the reason can be an SMTP reply (one line of printable ASCII).
     * Otherwise a refusal is a delivery status notification.
     */
    private static @Nullable DeliveryReply refusalOf(FilterDecision decision, List<Long> accounts,
                                                     AcceptedRecipients recipients) {
        if (decision.rejected().size() != accounts.size() || accounts.isEmpty() || recipients.queuesOutbound()) {
            return null;
        }
        String reason = decision.rejected().get(accounts.get(0));
        if (reason == null || reason.length() > 400 || !reason.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            return null;
        }
        return new DeliveryReply(550, "5.7.1", reason.isBlank() ? "Message rejected by the recipient" : reason);
    }

    /**
     * Where the redirects of {@code decision} lead, resolved as any recipient is: local accounts get a copy in their
     * INBOX (their own scripts do not run again, so two people's redirects cannot loop here), addresses elsewhere are
     * queued. A redirect that leads nowhere keeps the message in the redirecting account's INBOX instead, so it is not
     * lost.
     */
    private Mono<Onward> redirects(InboundMessage message, FilterDecision decision) {
        if (decision.redirects().isEmpty()) {
            return Mono.just(Onward.NONE);
        }
        return reactor.core.publisher.Flux.fromIterable(decision.redirects())
                .concatMap(redirect -> resolver.resolve(redirect.address()).map(recipient -> {
                    if (recipient instanceof Recipient.Resolved resolved && !resolved.isEmpty()) {
                        String via = domainOf(message.recipients().account(redirect.account()).address());
                        List<Forwarded> onward = new ArrayList<>(resolved.remote().stream()
                                .map(address -> redirected(address, via)).toList());
                        // Issue 17: people on a legacy system get the redirect there, with the sender as it is.
                        resolved.legacy().forEach(person -> onward.add(new Forwarded(new OutboundRecipient(
                                person.address(), Set.of(), null).viaLegacy(person.backend()), null)));
                        return new Onward(resolved.accounts().stream().map(a -> Copy.inbox(a.id())).toList(),
                                onward);
                    }
                    if (recipient instanceof Recipient.Remote remote) {
                        String via = domainOf(message.recipients().account(redirect.account()).address());
                        return new Onward(List.of(), List.of(redirected(remote.address(), via)));
                    }
                    LOG.warn("a Sieve redirect to {} leads nowhere; kept in the INBOX of account {}",
                            redirect.address(), redirect.account());
                    return new Onward(List.of(Copy.inbox(redirect.account())), List.of());
                }))
                .reduce(Onward.NONE, Onward::and);
    }

    private static Forwarded redirected(String address, String via) {
        return new Forwarded(new OutboundRecipient(address, Set.of(), null), via);
    }

    private static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /** A recipient elsewhere, and the local domain that forwarded the message to it (null: not forwarded). */
    private record Forwarded(OutboundRecipient recipient, @Nullable String via) { }

    /** The local copies and recipients elsewhere that redirects add. */
    private record Onward(List<Copy> copies, List<Forwarded> outbound) {
        static final Onward NONE = new Onward(List.of(), List.of());

        Onward and(Onward other) {
            List<Copy> allCopies = new ArrayList<>(copies);
            allCopies.addAll(other.copies);
            List<Forwarded> allOutbound = new ArrayList<>(outbound);
            allOutbound.addAll(other.outbound);
            return new Onward(allCopies, allOutbound);
        }

        boolean isEmpty() {
            return copies.isEmpty() && outbound.isEmpty();
        }
    }

    /**
     * Commits the message's copies for the accounts within quota, the recipients elsewhere and the redirects; the
     * accounts in {@code over} and those whose script rejected it get a failure notification (unless they asked
     * NOTIFY=NEVER) with the success ones. A message nobody keeps (discarded, or rejected by every script) commits
     * nothing and is answered as delivered.
     */
    private Mono<DeliveryResult> write(InboundMessage message, FilterDecision decision, List<Copy> redirected,
                                       List<OutboundRecipient> outbound, Set<Long> over) {
        AcceptedRecipients recipients = message.recipients();
        List<Copy> copies = new ArrayList<>(decision.copies().stream()
                .filter(copy -> !over.contains(copy.accountId())).toList());
        copies.addAll(redirected);
        Map<Long, DeliveryReply> failures = new LinkedHashMap<>();
        over.forEach(account -> failures.put(account, QuotaStep.QUOTA_EXCEEDED));
        decision.rejected().forEach((account, reason) -> failures.putIfAbsent(account, rejection(reason)));
        // The write must not be cancelled by a client that hangs up while it waits for its answer: its batch may
        // already be reading the spool, and other sessions' messages share that transaction. So the write runs on
        // the report step's own subscription, and the spool is freed only when the write is over.
        Instant arrival = clock.instant();
        Mono<DeliveryReceipt> write = copies.isEmpty() && outbound.isEmpty()
                ? Mono.just(new DeliveryReceipt(0, List.of()))
                : message.spool().finish()
                        .flatMap(content -> steps.store().store(content, message.spool().facts(), copies, arrival,
                                message.envelope(), outbound, message.quarantine()))
                        .cache();
        steps.reports().afterCommit(write, message, arrival, recipients.reports(failures));
        return write
                .map(receipt -> {
                    DeliveryResult result = new DeliveryResult(verdicts(recipients, failures),
                            receipt.messages().size(), outbound.size());
                    DeliveryLog.committed(mailLog, clock.instant(), message, receipt, result);
                    steps.filter().afterCommit(decision, message);
                    return result;
                })
                .onErrorResume(failure -> {
                    LOG.warn("delivery of message {} failed: {}", message.id(), failure.toString());
                    return Mono.just(DeliveryResult.refused(recipients, new DeliveryReply(451, "4.3.0",
                            "Message not stored (temporary storage failure), try again later")));
                });
    }

    /**
     * The recipients elsewhere: those admitted and those redirects add. A copy that a local address forwards (an
     * alias, a forwarding, a Sieve redirect) leaves with an SRS sender in that address's domain, unless the sender
     * is of a local domain (SPF passes for it as it is), or is the null sender.
     */
    private Mono<List<OutboundRecipient>> outbound(InboundMessage message, Onward onward) {
        List<Forwarded> all = new ArrayList<>();
        for (OutboundRecipient recipient : message.recipients().outbound()) {
            all.add(new Forwarded(recipient, message.recipients().forwardedVia(recipient.address())));
        }
        all.addAll(onward.outbound());
        String sender = message.envelope().sender();
        Srs rewriting = srs;
        if (rewriting == null || sender.isEmpty() || all.stream().allMatch(f -> f.via() == null)) {
            return Mono.just(all.stream().map(Forwarded::recipient).toList());
        }
        return steps.resolve().resolve(sender).map(resolution -> all.stream()
                .map(f -> f.via() == null || resolution instanceof ResolveStep.Local ? f.recipient()
                        : f.recipient().withSender(rewriting.forward(sender, f.via())))
                .toList());
    }

    /** What the sender is told of a script's refusal (RFC 5429 §2.1.1: 5.7.1, the script's reason). */
    private static DeliveryReply rejection(String reason) {
        String line = reason.replaceAll("[\\r\\n\\t]+", " ").strip();
        return new DeliveryReply(550, "5.7.1", line.isEmpty() ? "Message rejected by the recipient" : line);
    }

    /**
     * Per recipient: delivered when one of its accounts took the message (kept, filed, redirected or discarded it),
     * else queued when it goes elsewhere, else failed with the reply of its first account that did not take it.
     */
    private static List<RecipientVerdict> verdicts(AcceptedRecipients recipients,
                                                   Map<Long, DeliveryReply> failures) {
        List<RecipientVerdict> verdicts = new ArrayList<>();
        for (AcceptedRecipients.Reached reached : recipients.reached()) {
            if (reached.accounts().stream().anyMatch(account -> !failures.containsKey(account))) {
                verdicts.add(new RecipientVerdict.Delivered(reached.address()));
            } else if (!reached.remote().isEmpty()) {
                verdicts.add(new RecipientVerdict.Queued(reached.address()));
            } else {
                verdicts.add(new RecipientVerdict.Failed(reached.address(), reached.accounts().stream()
                        .map(failures::get).findFirst().orElse(QuotaStep.QUOTA_EXCEEDED)));
            }
        }
        return verdicts;
    }
}
