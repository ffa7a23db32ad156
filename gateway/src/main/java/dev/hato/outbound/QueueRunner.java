package dev.hato.outbound;

import dev.hato.dkim.MessageSigner;
import dev.hato.maillog.MailLog;
import dev.hato.dsn.ReportSender;
import dev.hato.dsn.RecipientReport;
import dev.hato.outbound.client.OutgoingMessage;
import dev.hato.outbound.client.RecipientResult;
import dev.hato.outbound.client.SmtpClient;
import dev.hato.outbound.client.SmtpConnector;
import dev.hato.outbound.client.SmtpFailure;
import dev.hato.outbound.client.TlsFailure;
import dev.hato.outbound.client.TlsPolicy;
import dev.hato.protocol.TlsParameters;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundQueue;
import dev.hato.store.queue.OutboundRecipient.Notify;
import dev.hato.store.queue.QueuedMessage;
import dev.hato.store.queue.QueuedRecipient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Works off the outbound queue on this node. It looks at the queue every poll interval and whenever a local commit
 * queued something; each look claims the due recipients of a few destinations (not those it is already delivering
 * to) and starts one delivery per destination: resolve its servers once, open up to {@code
 * connectionsPerDestination} connections, and send the destination's messages over them one after another (RSET
 * between). Each recipient's outcome is recorded as it comes: delivered, deferred with backoff, or failed, with
 * reports to the sender as NOTIFY asks (RFC 3461 §4.1). Several nodes share the queue safely: claims are exclusive.
 */
public final class QueueRunner implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueRunner.class);

    private final OutboundSettings settings;
    private final OutboundQueue queue;
    private final Routes routes;
    private final SmtpConnector connector;
    private final MessageSigner signer;
    private final Reporter reporter;
    private final Clock clock;
    private final Scheduler scheduler;
    private final Set<String> busy = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean claiming = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Disposable.Composite deliveries = Disposables.composite();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final MeterRegistry meters;
    private final OutboundLog mailLog;
    private final @Nullable TlsReporting tlsReports;
    private volatile boolean closed;
    private @Nullable Disposable poll;
    private @Nullable Disposable wakeUps;

    /**
     * A runner (not yet started) on the given parts. {@code scheduler} runs the timer and wake-ups; everything
     * else is non-blocking and runs where the network and the store complete it. {@code reports} sends the bounces
     * and delay notices (the composition root gives it the pipeline's generated delivery). {@code mtaSts} looks up
     * the MTA-STS policies of destinations (null: none are), {@code tlsReports} counts every session with an MX host
     * for the TLS reports (null: none are counted). {@code legacy} names the legacy systems whose MTAs take the mail
     * of people still served there (issue 17; null: such recipients are deferred).
     */
    public static QueueRunner create(OutboundSettings settings, OutboundQueue queue, MxResolver resolver,
                                     SmtpConnector connector, MessageSigner signer, ReportSender reports,
                                     Clock clock, Scheduler scheduler, MeterRegistry meters, MailLog mailLog,
                                     @Nullable MtaSts mtaSts, @Nullable TlsReporting tlsReports,
                                     @Nullable LegacyBackends legacy) {
        return new QueueRunner(settings, queue, new Routes(settings, resolver, mtaSts, legacy), connector, signer,
                new Reporter(reports, queue), clock, scheduler, meters, mailLog, tlsReports);
    }

    QueueRunner(OutboundSettings settings, OutboundQueue queue, Routes routes, SmtpConnector connector,
                MessageSigner signer, Reporter reporter, Clock clock, Scheduler scheduler, MeterRegistry meters,
                MailLog mailLog, @Nullable TlsReporting tlsReports) {
        this.mailLog = new OutboundLog(mailLog);
        this.tlsReports = tlsReports;
        this.settings = settings;
        this.queue = queue;
        this.routes = routes;
        this.connector = connector;
        this.signer = signer;
        this.reporter = reporter;
        this.clock = clock;
        this.scheduler = scheduler;
        this.meters = meters;
        meters.gauge("hato.outbound.destinations.active", busy, Set::size);
    }

    /** Starts polling and listening for local commits; idempotent. */
    public synchronized void start() {
        if (poll != null || closed) {
            return;
        }
        poll = scheduler.schedulePeriodically(this::wake, 0, settings.pollInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        wakeUps = queue.queued().subscribe(id -> wake(), error -> log.warn("queue wake-ups ended: {}", error.toString()));
    }

    /** Looks at the queue now (or right after the look in progress). */
    public void wake() {
        if (closed) {
            return;
        }
        if (!claiming.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        again.set(false);
        claim().doFinally(signal -> {
            claiming.set(false);
            if (again.getAndSet(false)) {
                scheduler.schedule(this::wake);
            }
        }).subscribe();
    }

    /** Destinations being delivered to on this node right now. */
    public int activeDestinations() {
        return busy.size();
    }

    private Mono<Void> claim() {
        int room = settings.destinationsPerClaim() - busy.size();
        if (room <= 0) {
            return Mono.empty();
        }
        return queue.claim(room, settings.recipientsPerClaim(), settings.claimLease(), Set.copyOf(busy))
                .collectList()
                .doOnNext(claimed -> {
                    Map<String, List<QueuedRecipient>> byDomain = new LinkedHashMap<>();
                    claimed.forEach(r -> byDomain.computeIfAbsent(r.destination(), d -> new ArrayList<>()).add(r));
                    byDomain.forEach(this::startDestination);
                })
                .onErrorResume(error -> {
                    log.warn("claiming from the outbound queue failed: {}", error.toString());
                    return Mono.empty();
                })
                .then();
    }

    private void startDestination(String domain, List<QueuedRecipient> recipients) {
        if (!busy.add(domain)) {
            // Cannot happen (busy domains are not claimed); the claim's lease brings them back if it does.
            return;
        }
        inFlight.incrementAndGet();
        AtomicReference<@Nullable Disposable> self = new AtomicReference<>();
        Disposable delivery = deliver(domain, recipients)
                .onErrorResume(error -> {
                    log.warn("delivery to {} ended with an error: {}", domain, error.toString());
                    return Mono.empty();
                })
                .doFinally(signal -> {
                    busy.remove(domain);
                    inFlight.decrementAndGet();
                    Disposable done = self.get();
                    if (done != null) {
                        deliveries.remove(done);
                    }
                    wake();
                })
                .subscribe();
        self.set(delivery);
        if (!delivery.isDisposed()) {
            deliveries.add(delivery);
        }
    }

    /** One destination: its messages grouped, its servers resolved once, its connections in parallel. */
    Mono<Void> deliver(String domain, List<QueuedRecipient> recipients) {
        Map<Long, Work> byMessage = new LinkedHashMap<>();
        for (QueuedRecipient recipient : recipients) {
            byMessage.computeIfAbsent(recipient.message().id(), id -> new Work(recipient.message(), new ArrayList<>()))
                    .recipients().add(recipient);
        }
        List<Work> works = List.copyOf(byMessage.values());
        return routes.hops(domain)
                .flatMap(hops -> {
                    // RFC 8460 §5.3: TLS reports go out whatever TLS the destination offers, and are not counted.
                    List<Work> reports = works.stream().filter(work -> tlsReports != null
                            && tlsReports.isReport(work.message().envelope())).toList();
                    if (reports.isEmpty()) {
                        return lanes(hops, works);
                    }
                    // A smarthost keeps its own policy (and its credentials their protection); MX hosts get "may".
                    List<Hop> relaxed = hops.stream()
                            .map(hop -> hop.sts() == null ? hop : hop.relaxed(TlsPolicy.MAY)).toList();
                    List<Work> others = works.stream().filter(work -> !reports.contains(work)).toList();
                    return lanes(relaxed, reports).then(others.isEmpty() ? Mono.empty() : lanes(hops, others));
                })
                .onErrorResume(RouteFailure.class, failure -> Flux.fromIterable(works)
                        .concatMap(work -> record(work, local(work, failure.permanent(), failure.status(),
                                failure.getMessage()), null))
                        .then());
    }

    /** The messages spread over up to {@code connectionsPerDestination} connections, each sent over one. */
    private Mono<Void> lanes(List<Hop> hops, List<Work> works) {
                    int connections = Math.min(settings.connectionsPerDestination(), works.size());
                    List<List<Work>> lanes = new ArrayList<>();
                    for (int i = 0; i < connections; i++) {
                        lanes.add(new ArrayList<>());
                    }
                    for (int i = 0; i < works.size(); i++) {
                        lanes.get(i % connections).add(works.get(i));
                    }
                    return Flux.fromIterable(lanes)
                            .flatMap(lane -> Flux.fromIterable(partition(lane, settings.messagesPerConnection()))
                                    .concatMap(part -> session(hops, part)), connections)
                            .then();
    }

    /** One connection: the first server that takes it, then the messages one after another. */
    private Mono<Void> session(List<Hop> hops, List<Work> works) {
        List<Throwable> failures = new ArrayList<>();
        return Flux.fromIterable(hops)
                .concatMap(hop -> open(hop)
                        .doOnNext(client -> meters.counter("hato.outbound.connections", "result", "ok").increment())
                        .map(Optional::of)
                        .onErrorResume(error -> {
                            meters.counter("hato.outbound.connections", "result", "failed").increment();
                            log.debug("connection to {} ({}) failed: {}", hop.host(), hop.address(), error.toString());
                            failures.add(describe(hop, error));
                            return Mono.just(Optional.empty());
                        }), 1)
                .filter(Optional::isPresent)
                .next()
                .map(Optional::get)
                .flatMap(client -> transactions(client, works))
                .switchIfEmpty(Mono.defer(() -> {
                    SmtpFailure last = summarize(failures);
                    return Flux.fromIterable(works)
                            .concatMap(work -> record(work, local(work, last.permanent(), last.status(),
                                    last.diagnostic()), null))
                            .then()
                            .thenReturn(true);
                }))
                .then();
    }

    /**
     * Connects to {@code hop} as the destination's MTA-STS policy says (RFC 8461 §4 and §5) and counts the session
     * for the TLS reports. Mode {@code enforce}: only an MX host the policy names, only with TLS and a certificate
     * valid for it; otherwise a temporary failure. Mode {@code testing}: the same checks are made and reported, and
     * when they fail the message goes as the configured TLS policy allows.
     */
    private Mono<SmtpClient> open(Hop hop) {
        Hop.Sts sts = hop.sts();
        MtaStsPolicy.@Nullable Mode mode = sts == null ? null : sts.mode();
        if (sts != null && !sts.permitted()) {
            count(hop, "validation-failure");
            if (mode == MtaStsPolicy.Mode.ENFORCE) {
                return Mono.error(new SmtpFailure(false, "4.7.5", "x-local; " + hop.host() + " is not an MX host"
                        + " that the MTA-STS policy of " + sts.domain() + " names (RFC 8461)"));
            }
            return connect(hop, false);
        }
        if (mode == MtaStsPolicy.Mode.TESTING && hop.tls() != TlsPolicy.VERIFY && !hop.implicitTls()) {
            return open(hop, TlsPolicy.VERIFY)
                    .doOnNext(client -> count(hop, ""))
                    .onErrorResume(error -> tlsProblem(error) != null, error -> {
                        count(hop, tlsProblem(error));
                        log.info("{} fails the MTA-STS policy of {} in mode testing ({}); delivering as configured",
                                hop.host(), sts.domain(), message(error));
                        return connect(hop, false);
                    });
        }
        return connect(hop, true);
    }

    /** Connects with the hop's own TLS policy; {@code counted}: the session's outcome goes into the TLS reports. */
    private Mono<SmtpClient> connect(Hop hop, boolean counted) {
        return open(hop, hop.tls())
                .doOnNext(client -> {
                    if (counted && (client.tls() != null || hop.tls() != TlsPolicy.NONE)) {
                        count(hop, client.tls() != null ? "" : "starttls-not-supported");
                    }
                })
                .doOnError(error -> {
                    String problem = tlsProblem(error);
                    if (counted && problem != null) {
                        count(hop, problem);
                    }
                })
                // Opportunistic TLS (RFC 7435 §3) must not make mail undeliverable: a server whose STARTTLS
                // handshake fails gets the message in plain text on a new connection, as Postfix's "may" does.
                .onErrorResume(error -> hop.tls() == TlsPolicy.MAY && !hop.implicitTls() && tlsFailure(error),
                        error -> {
                            log.info("TLS with {} failed ({}); delivering without TLS", hop.host(), message(error));
                            return open(hop, TlsPolicy.NONE);
                        });
    }

    private Mono<SmtpClient> open(Hop hop, TlsPolicy tls) {
        return connector.connect(hop.host(), hop.address(), hop.implicitTls(), tls.verifies(), hop.trustPem())
                .flatMap(transport -> SmtpClient.open(transport, new SmtpClient.Settings(settings.heloName(),
                                tls, hop.username(), hop.password()))
                        .doOnError(error -> transport.close()));
    }

    private void count(Hop hop, String resultType) {
        meters.counter("hato.outbound.tls.sessions", "result", resultType.isEmpty() ? "success" : resultType,
                "policy", hop.sts() != null && hop.sts().lookup().policy() != null ? "sts" : "none").increment();
        if (tlsReports != null) {
            tlsReports.count(hop, resultType);
        }
    }

    /**
     * What went wrong with TLS, as an RFC 8460 §4.3.1 result type, or null when the failure was not about TLS
     * (no connection, a refused greeting).
     */
    static @Nullable String tlsProblem(Throwable error) {
        if (error instanceof SmtpFailure failure) {
            return failure.noTls() ? "starttls-not-supported" : null;
        }
        if (!tlsFailure(error)) {
            return null;
        }
        List<Throwable> chain = new ArrayList<>();
        for (Throwable cause = error; cause != null && chain.size() < 20; cause = cause.getCause()) {
            chain.add(cause);
        }
        // The most specific first: an expiry is wrapped in a path validation failure, which wraps nothing else.
        for (Throwable cause : chain) {
            if (cause instanceof CertificateExpiredException || cause instanceof CertificateNotYetValidException
                    || cause instanceof CertPathValidatorException path
                    && (path.getReason() == CertPathValidatorException.BasicReason.EXPIRED
                    || path.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return "certificate-expired";
            }
        }
        for (Throwable cause : chain) {
            String text = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
            if (text.contains("hostname") || text.contains("subject alternative") || text.contains("no name matching")
                    || text.contains("doesn't match") || text.contains("does not match")) {
                return "certificate-host-mismatch";
            }
        }
        for (Throwable cause : chain) {
            String text = cause.getMessage() == null ? "" : cause.getMessage().toLowerCase(Locale.ROOT);
            if (cause instanceof CertPathValidatorException || cause instanceof CertPathBuilderException
                    || text.contains("certification path") || text.contains("trust anchor")
                    || text.contains("untrusted")) {
                return "certificate-not-trusted";
            }
        }
        return "validation-failure";
    }

    private static boolean tlsFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof TlsFailure || cause instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }

    private Mono<Boolean> transactions(SmtpClient client, List<Work> works) {
        AtomicReference<@Nullable String> broken = new AtomicReference<>();
        String host = client.remoteHost();
        return Flux.range(0, works.size())
                .concatMap(i -> {
                    Work work = works.get(i);
                    String reason = broken.get();
                    if (reason != null) {
                        return record(work, local(work, false, "4.4.2", reason), host, client.tls());
                    }
                    Mono<Boolean> reset = i == 0 ? Mono.just(true) : client.reset();
                    return reset
                            .flatMap(ok -> ok ? prepare(work).flatMap(client::send)
                                    : Mono.error(new IllegalStateException(host + " refused RSET")))
                            .onErrorResume(error -> {
                                // RFC 5321 §4.1.1.5 / §6.1: a lost connection leaves the outcome open; retry later.
                                String lost = "the connection to " + host + " was lost: " + message(error);
                                broken.set(lost);
                                client.abort();
                                return Mono.just(local(work, false, "4.4.2", lost));
                            })
                            .flatMap(results -> record(work, results, host, client.tls()));
                })
                .then(Mono.defer(() -> broken.get() == null ? client.quit() : Mono.empty()))
                .thenReturn(true);
    }

    /**
     * The message as it goes out: DKIM header fields (if the signer has a key) in front of the stored bytes, less
     * the stored Return-Path field. The declared size is the stored size plus the signature: a few octets more than
     * sent, which RFC 1870 §4 allows (SIZE is an estimate, not to be exceeded).
     */
    private Mono<OutgoingMessage> prepare(Work work) {
        QueuedMessage message = work.message();
        return signer.sign(signingDomain(message.envelope()), ReturnPath.stripped(queue.content(message.blobId())))
                .map(header -> new OutgoingMessage(message.envelope(),
                        work.recipients().stream().map(QueuedRecipient::recipient).toList(),
                        message.size() + header.length,
                        () -> {
                            Flux<ByteBuffer> stored = ReturnPath.stripped(queue.content(message.blobId()));
                            return header.length == 0 ? stored : Flux.concat(Mono.just(ByteBuffer.wrap(header)), stored);
                        }));
    }

    /** The sender's domain; for the null sender (a report) the domain of this host's name. */
    private String signingDomain(Envelope envelope) {
        if (!envelope.nullSender()) {
            return QueuedRecipient.domainOf(envelope.sender());
        }
        String host = settings.heloName();
        int dot = host.indexOf('.');
        return dot > 0 && host.indexOf('.', dot + 1) > 0 ? host.substring(dot + 1) : host;
    }

    /**
     * Records one attempt at one message: outcomes per recipient, the reports NOTIFY asks for, and the removal of
     * the message once no recipient is left. Successes are recorded before anything else (a report that fails
     * must never lead to a second delivery).
     */
    private Mono<Void> record(Work work, List<RecipientResult> results, @Nullable String remoteMta) {
        return record(work, results, remoteMta, null);
    }

    /** As above, for an attempt on a connection to {@code remoteMta} that used {@code tls} (null: no TLS). */
    private Mono<Void> record(Work work, List<RecipientResult> results, @Nullable String remoteMta,
                              @Nullable TlsParameters tls) {
        QueuedMessage message = work.message();
        Instant now = clock.instant();
        Instant expiry = message.arrival().plus(settings.maxAge());
        List<Mono<Void>> successes = new ArrayList<>();
        List<Mono<Void>> others = new ArrayList<>();
        List<RecipientReport> failed = new ArrayList<>();
        List<RecipientReport> delayed = new ArrayList<>();
        List<RecipientReport> relayed = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            QueuedRecipient queued = work.recipients().get(i);
            RecipientResult result = results.get(i);
            switch (result.outcome()) {
                case DELIVERED -> {
                    count("delivered");
                    mailLog.relayed(now, queued, result, remoteMta, tls);
                    successes.add(queue.delivered(queued.id()));
                    // RFC 3461 §6.2.2: a server without DSN cannot report success; say it was relayed.
                    if (queued.recipient().wants(Notify.SUCCESS) && !result.dsnPassed()) {
                        relayed.add(report(queued, RecipientReport.Action.RELAYED, result.status(),
                                result.diagnostic(), remoteMta, now, null));
                    }
                }
                case PERMANENT -> {
                    count("failed");
                    mailLog.bounced(now, queued, result.diagnostic(), remoteMta,
                            queued.recipient().wants(Notify.FAILURE) && !message.envelope().nullSender());
                    others.add(queue.failed(queued.id(), result.diagnostic()));
                    if (queued.recipient().wants(Notify.FAILURE)) {
                        failed.add(report(queued, RecipientReport.Action.FAILED, result.status(),
                                result.diagnostic(), remoteMta, now, null));
                    }
                }
                case TEMPORARY -> {
                    if (!now.isBefore(expiry)) {
                        // RFC 5321 §4.5.4.1: give up after the retry period; RFC 3463 4.4.7 delivery time expired.
                        count("expired");
                        String reason = result.diagnostic() + " (retried for " + settings.maxAge() + ")";
                        others.add(queue.failed(queued.id(), reason));
                        mailLog.bounced(now, queued, reason, remoteMta,
                                queued.recipient().wants(Notify.FAILURE) && !message.envelope().nullSender());
                        if (queued.recipient().wants(Notify.FAILURE)) {
                            failed.add(report(queued, RecipientReport.Action.FAILED, "4.4.7", reason, remoteMta,
                                    now, null));
                        }
                    } else {
                        count("deferred");
                        Instant next = now.plus(settings.backoff(queued.attempts() + 1));
                        others.add(queue.deferred(queued.id(), next.isAfter(expiry) ? expiry : next,
                                result.diagnostic()));
                        mailLog.deferred(now, queued, result, remoteMta, tls, next.isAfter(expiry) ? expiry : next);
                        if (!queued.delayNotified() && !now.isBefore(message.arrival().plus(settings.delayNotice()))
                                && queued.recipient().wants(Notify.DELAY) && !message.envelope().nullSender()) {
                            delayed.add(report(queued, RecipientReport.Action.DELAYED, result.status(),
                                    result.diagnostic(), remoteMta, now, expiry));
                            others.add(queue.delayNotified(queued.id()));
                        }
                    }
                }
            }
        }
        return Flux.concat(successes)
                .then(sendReport(message, relayed))
                .then(sendReport(message, failed))
                .then(sendReport(message, delayed))
                .then(Flux.concat(others).then())
                .then(queue.removeIfFinished(message.id()))
                .then();
    }

    private Mono<Void> sendReport(QueuedMessage message, List<RecipientReport> recipients) {
        if (recipients.isEmpty()) {
            return Mono.empty();
        }
        return reporter.send(message, recipients)
                .doOnNext(sent -> {
                    if (sent) {
                        meters.counter("hato.outbound.reports", "action",
                                recipients.get(0).action().name().toLowerCase(java.util.Locale.ROOT)).increment();
                    }
                })
                .then();
    }

    private static RecipientReport report(QueuedRecipient queued, RecipientReport.Action action, String status,
                                          String diagnostic, @Nullable String remoteMta, Instant now,
                                          @Nullable Instant retryUntil) {
        return new RecipientReport(queued.recipient().address(), queued.recipient().orcpt(), action, status,
                remoteMta, diagnostic, now, retryUntil);
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, o -> meters.counter("hato.outbound.recipients", "outcome", o))
                .increment();
    }

    private static List<RecipientResult> local(Work work, boolean permanent, String status, String reason) {
        return work.recipients().stream()
                .map(r -> RecipientResult.local(r.recipient(), permanent, status, reason)).toList();
    }

    /** Permanent only when every server refused permanently; otherwise worth another try later. */
    private static SmtpFailure summarize(List<Throwable> failures) {
        if (failures.isEmpty()) {
            return new SmtpFailure(false, "4.4.1", "x-local; no server to try");
        }
        boolean permanent = failures.stream().allMatch(f -> f instanceof SmtpFailure s && s.permanent());
        Throwable last = failures.get(failures.size() - 1);
        if (last instanceof SmtpFailure failure) {
            return new SmtpFailure(permanent, failure.status(), failure.diagnostic());
        }
        return new SmtpFailure(false, "4.4.1", message(last));
    }

    private static Throwable describe(Hop hop, Throwable error) {
        if (error instanceof SmtpFailure) {
            return error;
        }
        // RFC 3463 4.4.1: no answer from host.
        return new IllegalStateException("connection to " + hop.host() + " (" + hop.address() + ") failed: "
                + message(error));
    }

    private static String message(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }

    private static <T> List<List<T>> partition(List<T> items, int size) {
        List<List<T>> parts = new ArrayList<>();
        for (int i = 0; i < items.size(); i += size) {
            parts.add(items.subList(i, Math.min(items.size(), i + size)));
        }
        return parts;
    }

    /** One message and its claimed recipients at one destination. */
    private record Work(QueuedMessage message, List<QueuedRecipient> recipients) { }

    /**
     * Stops looking at the queue and waits up to {@code timeout} for deliveries in progress; the rest are cut off
     * (their claims run out and another node, or this one after a restart, retries them).
     */
    public void close(Duration timeout) {
        closed = true;
        synchronized (this) {
            if (poll != null) {
                poll.dispose();
            }
            if (wakeUps != null) {
                wakeUps.dispose();
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        deliveries.dispose();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }
}
