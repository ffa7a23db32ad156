package dev.hato.delivery;

import dev.hato.sieve.Action;
import dev.hato.sieve.Budget;
import dev.hato.sieve.CompiledScript;
import dev.hato.sieve.HeaderMessage;
import dev.hato.sieve.Outcome;
import dev.hato.sieve.SieveInterpreter;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.Copy;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.hato.store.queue.Envelope;
import java.time.ZonedDateTime;
import java.util.Locale;

/**
 * Per-recipient filtering (issue 16): each account's active Sieve script decides what becomes of its copy. Accounts
 * without a script keep the message in their INBOX, with no work beyond a cached lookup. A script runs on a worker
 * (never an event loop) with a budget of steps and time; one that fails, or spends its budget, keeps the message in
 * the INBOX and its owner is told (RFC 5228 §2.10.6). The message is read from the spool only as far as the script
 * needs: its header section, or up to {@link #BODY_LIMIT} octets when the script tests the body.
 */
public final class FilterStep {

    /** Steps of one evaluation (a test, a string compared, a character matched). */
    static final long MAX_STEPS = 1_000_000;
    /** Time of one evaluation. */
    static final Duration MAX_TIME = Duration.ofMillis(200);
    /** Most of a message a body test reads (Pigeonhole reads all; a test on a larger message sees its start). */
    static final int BODY_LIMIT = 4 * 1024 * 1024;
    /** Most of a header section the header tests read. */
    static final int HEADER_LIMIT = 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(FilterStep.class);

    private final @Nullable ActiveScripts scripts;
    private final @Nullable Mailboxes mailboxes;
    private final @Nullable DeliveringMailer mailer;
    private final SieveInterpreter interpreter;
    private final String postmaster;
    private final Clock clock;
    private final Scheduler worker;

    /**
     * @param mailboxes           the accounts' mailboxes, for {@code mailboxexists}
     * @param mailer              sends vacation responses and the notes about failed scripts
     * @param subaddressSeparator what separates user and detail (RFC 5233), as the expand step has it
     * @param postmaster          the address those notes come from
     * @param worker              where scripts run
     */
    public FilterStep(@Nullable ActiveScripts scripts, @Nullable Mailboxes mailboxes,
                      @Nullable DeliveringMailer mailer, String subaddressSeparator, String postmaster, Clock clock,
                      Scheduler worker) {
        this.scripts = scripts;
        this.mailboxes = mailboxes;
        this.mailer = mailer;
        this.interpreter = new SieveInterpreter(subaddressSeparator, clock);
        this.postmaster = postmaster;
        this.clock = clock;
        this.worker = worker;
    }

    /** No filtering: every account keeps every message in its INBOX. */
    public FilterStep() {
        this(null, null, null, "+", "postmaster", Clock.systemUTC(), Schedulers.immediate());
    }

    /** What becomes of {@code message} (whose finished content is {@code content}) for each of {@code accounts}. */
    public Mono<FilterDecision> filter(InboundMessage message, MessageContent content, List<Long> accounts) {
        ActiveScripts active = scripts;
        if (active == null || accounts.isEmpty()) {
            return Mono.just(FilterDecision.keepAll(accounts));
        }
        return active.of(accounts).flatMap(ready -> ready.isEmpty() ? Mono.just(FilterDecision.keepAll(accounts))
                : evaluate(message, content, accounts, ready));
    }

    private Mono<FilterDecision> evaluate(InboundMessage message, MessageContent content, List<Long> accounts,
                                          Map<Long, ActiveScripts.Ready> ready) {
        boolean body = ready.values().stream().anyMatch(r -> r.compiled() != null
                && r.compiled().capabilities().contains("body"));
        return MessageHead.read(content, body ? BODY_LIMIT : HEADER_LIMIT, !body)
                .publishOn(worker)
                .map(head -> HeaderMessage.of(head, content.size(), message.envelope().sender(), ""))
                .flatMap(parsed -> Flux.fromIterable(accounts)
                        .concatMap(account -> {
                            ActiveScripts.Ready script = ready.get(account);
                            return script == null ? Mono.just(new Verdict(account, null, null))
                                    : run(message, parsed, account, script);
                        })
                        .collectList())
                .map(verdicts -> decide(message.recipients(), verdicts));
    }

    /** One account's script over the message, whose header {@code parsed} holds. */
    private Mono<Verdict> run(InboundMessage message, HeaderMessage parsed, long account, ActiveScripts.Ready ready) {
        CompiledScript compiled = ready.compiled();
        if (compiled == null) {
            return Mono.just(new Verdict(account, ready, new Outcome(List.of(new Action.Keep()),
                    "the script is not valid Sieve: " + ready.refusal())));
        }
        String recipient = message.recipients().requestedAddress(account);
        return mailboxNames(account, compiled)
                .publishOn(worker)
                .map(names -> {
                    HeaderMessage view = parsed.forRecipient(recipient);
                    Budget budget = new Budget(MAX_STEPS, MAX_TIME.toNanos());
                    return new Verdict(account, ready, interpreter.evaluate(compiled, view, names, budget), view);
                });
    }

    /** The account's mailboxes, read only for a script that asks whether one exists (RFC 5490 §3.2). */
    private Mono<Predicate<String>> mailboxNames(long account, CompiledScript compiled) {
        Mailboxes boxes = mailboxes;
        if (boxes == null || !compiled.capabilities().contains("mailbox")) {
            return Mono.just(name -> false);
        }
        return boxes.list(account).map(MailboxInfo::name).collect(Collectors.toSet())
                .map(names -> (Predicate<String>) names::contains);
    }

    private static FilterDecision decide(AcceptedRecipients recipients, List<Verdict> verdicts) {
        List<Copy> copies = new ArrayList<>();
        List<FilterDecision.Redirected> redirects = new ArrayList<>();
        Map<Long, String> rejected = new LinkedHashMap<>();
        List<FilterDecision.Vacation> vacations = new ArrayList<>();
        List<FilterDecision.Failure> failures = new ArrayList<>();
        boolean extended = true;
        for (Verdict verdict : verdicts) {
            long account = verdict.account;
            Outcome outcome = verdict.outcome;
            ActiveScripts.Ready ready = verdict.script;
            if (outcome == null || ready == null) {
                copies.add(Copy.inbox(account));
                continue;
            }
            Account owner = recipients.account(account);
            if (outcome.failed()) {
                failures.add(new FilterDecision.Failure(owner, ready.script().name(), ready.digest(),
                        String.valueOf(outcome.failure())));
            }
            for (Action action : outcome.actions()) {
                if (action instanceof Action.Keep keep) {
                    copies.add(new Copy(account, null, keep.flags(), false));
                } else if (action instanceof Action.FileInto into) {
                    copies.add(new Copy(account, into.mailbox(), into.flags(), into.create()));
                } else if (action instanceof Action.Redirect redirect) {
                    redirects.add(new FilterDecision.Redirected(account, redirect.address()));
                } else if (action instanceof Action.Reject reject) {
                    rejected.put(account, reject.reason());
                    extended &= reject.extended();
                } else if (action instanceof Action.Vacation vacation && verdict.view != null) {
                    vacations.add(new FilterDecision.Vacation(owner, recipients.requestedAddress(account),
                            vacation, verdict.view));
                }
                // Discard: nothing to do for this account.
            }
        }
        return new FilterDecision(copies, redirects, rejected, extended && !rejected.isEmpty(), vacations,
                failures);
    }


    /**
     * Once {@code message} is committed: the vacation responses that are due (RFC 5230 §4.2, RFC 3834: never to a
     * list, bulk or automatic message or the null sender; once per sender and handle within the period) and the
     * notes to owners whose script failed (once per version of the script). Runs on its own; a response that cannot
     * be sent is logged, never a reason to fail the delivery already acknowledged.
     */
    void afterCommit(FilterDecision decision, InboundMessage message) {
        ActiveScripts active = scripts;
        DeliveringMailer send = mailer;
        if (active == null || send == null || decision.vacations().isEmpty() && decision.failures().isEmpty()) {
            return;
        }
        Flux.concat(Flux.fromIterable(decision.vacations())
                                .concatMap(vacation -> respond(active, send, vacation, message.envelope().sender())),
                        Flux.fromIterable(decision.failures()).concatMap(failure -> tell(active, send, failure)))
                .subscribe(done -> { }, error -> LOG.warn("a vacation response or filter note for message {} was"
                        + " not sent: {}", message.id(), error.toString()));
    }

    private Mono<Void> respond(ActiveScripts active, DeliveringMailer send, FilterDecision.Vacation vacation,
                               String sender) {
        Action.Vacation action = vacation.action();
        List<String> mine = new ArrayList<>(action.addresses());
        mine.add(vacation.recipient());
        mine.add(vacation.account().address());
        java.util.Optional<String> refusal = dev.hato.sieve.VacationPolicy.refusal(vacation.message(), mine);
        if (refusal.isPresent()) {
            LOG.debug("no vacation response from account {}: {}", vacation.account().id(), refusal.get());
            return Mono.empty();
        }
        String to = sender.toLowerCase(Locale.ROOT);
        return active.vacationDue(vacation.account().id(), to, action.handle(), clock.instant(),
                        java.time.Duration.ofSeconds(action.periodSeconds()))
                .flatMap(due -> {
                    if (!due) {
                        return Mono.empty();
                    }
                    String from = action.from() != null ? action.from() : vacation.recipient();
                    String original = AutoReply.first(vacation.message().header("subject"));
                    String subject = action.subject() != null ? action.subject()
                            : "Auto: " + (original == null ? "" : original);
                    byte[] response = AutoReply.vacation(from, sender, subject, action.reason(), action.mime(),
                            AutoReply.first(vacation.message().header("message-id")),
                            AutoReply.first(vacation.message().header("references")), ZonedDateTime.now(clock));
                    return send.send(Envelope.NONE, sender, response);
                });
    }

    private Mono<Void> tell(ActiveScripts active, DeliveringMailer send, FilterDecision.Failure failure) {
        Account owner = failure.account();
        LOG.info("the Sieve script {} of account {} failed: {}", failure.name(), owner.id(), failure.reason());
        return active.firstFailure(owner.id(), failure.digest())
                .flatMap(first -> !first ? Mono.empty() : send.send(Envelope.NONE, owner.address(),
                        AutoReply.scriptFailed(postmaster, owner.address(), failure.name(), failure.reason(),
                                ZonedDateTime.now(clock))));
    }

    /** One account's evaluation: no script (null), or its outcome over the message as the script saw it. */
    private static final class Verdict {
        final long account;
        final ActiveScripts.@Nullable Ready script;
        final @Nullable Outcome outcome;
        final @Nullable HeaderMessage view;

        Verdict(long account, ActiveScripts.@Nullable Ready script, @Nullable Outcome outcome) {
            this(account, script, outcome, null);
        }

        Verdict(long account, ActiveScripts.@Nullable Ready script, @Nullable Outcome outcome,
                @Nullable HeaderMessage view) {
            this.account = account;
            this.script = script;
            this.outcome = outcome;
            this.view = view;
        }
    }
}
