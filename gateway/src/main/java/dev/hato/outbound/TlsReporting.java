package dev.hato.outbound;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.TlsSession;
import dev.hato.store.queue.TlsSessions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * SMTP TLS reporting (RFC 8460): every outbound connection to an MX host is counted, by UTC day, destination
 * domain, policy, MX host and result; after each day the counts of each destination that asks for reports (a
 * {@code _smtp._tls} TXT record) are sent as one gzip-compressed JSON report, by mail or HTTPS POST, and then
 * removed. The counts are in the store, so every node adds to the same report and exactly one node sends it.
 */
public final class TlsReporting implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TlsReporting.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** RFC 5322 §3.3, with a numeric zone ({@code GMT} is obsolete syntax there). */
    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx",
            Locale.ROOT);
    /** Counts that could not be sent are given back and tried again, for this many days after their day. */
    private static final int RETRY_DAYS = 2;

    private final Settings settings;
    private final TlsSessions sessions;
    private final MxResolver resolver;
    private final OutboundHttp http;
    private final Mailer mailer;
    private final Clock clock;
    private @Nullable Disposable timer;

    /**
     * @param organization the {@code organization-name} of the reports
     * @param contact      their {@code contact-info}
     * @param sender       the address reports are mailed from (envelope and From); mail from it is never held
     *                     back by a TLS policy (RFC 8460 §5.3)
     * @param hostName     this host's name, for report and message ids
     * @param interval     how often to look for finished days to report
     */
    public record Settings(String organization, String contact, String sender, String hostName, Duration interval) { }

    /** Delivers a mailed report (the composition root hands it to the delivery pipeline). */
    @FunctionalInterface
    public interface Mailer {
        Mono<Void> send(Envelope envelope, String recipient, byte[] message);
    }

    public TlsReporting(Settings settings, TlsSessions sessions, MxResolver resolver, OutboundHttp http, Mailer mailer,
                        Clock clock) {
        this.settings = settings;
        this.sessions = sessions;
        this.resolver = resolver;
        this.http = http;
        this.mailer = mailer;
        this.clock = clock;
    }

    /** Looks for finished days every interval, from one interval after now. */
    public synchronized void start(Scheduler scheduler) {
        if (timer == null) {
            long every = settings.interval().toMillis();
            timer = scheduler.schedulePeriodically(() -> sendDue().subscribe(), every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** Whether {@code envelope} is one of the reports: it goes out whatever TLS the destination offers. */
    boolean isReport(Envelope envelope) {
        return envelope.sender().equalsIgnoreCase(settings.sender());
    }

    /** Counts one session with an MX host of {@code hop}'s destination: {@code resultType} empty for a success. */
    void count(Hop hop, String resultType) {
        Hop.Sts sts = hop.sts();
        if (sts == null) {
            return;
        }
        MtaStsPolicy policy = sts.lookup().policy();
        String failure = sts.lookup().failure();
        TlsSession session = policy != null
                ? new TlsSession(sts.domain(), "sts", policy.id(), policy.text(), hop.host(), ip(hop), resultType, 1)
                // RFC 8460 §4.3.2.2: a policy announced but not usable is the session's failure, whatever TLS did
                : failure != null ? new TlsSession(sts.domain(), "sts", "", "", hop.host(), ip(hop), failure, 1)
                : new TlsSession(sts.domain(), "no-policy-found", "", "", hop.host(), ip(hop), resultType, 1);
        sessions.add(LocalDate.now(clock.withZone(ZoneOffset.UTC)), session).subscribe(null,
                error -> log.warn("a TLS session with {} could not be counted: {}", hop.host(), error.toString()));
    }

    private static String ip(Hop hop) {
        return hop.address().getAddress() == null ? "" : hop.address().getAddress().getHostAddress();
    }

    /** Sends the reports of every finished day; emits how many were sent. */
    public Mono<Long> sendDue() {
        LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        // collected first: the query's connection goes back to the pool before the reports use others
        return sessions.due(today).collectList().flatMapMany(Flux::fromIterable)
                .concatMap(due -> sessions.take(due.day(), due.policyDomain()).collectList()
                        .flatMap(counted -> send(due.day(), due.policyDomain(), counted, today)))
                .filter(Boolean::booleanValue)
                .count()
                .onErrorResume(error -> {
                    log.warn("TLS reports could not be sent: {}", error.toString());
                    return Mono.just(0L);
                });
    }

    private Mono<Boolean> send(LocalDate day, String domain, List<TlsSession> counted, LocalDate today) {
        if (counted.isEmpty()) {
            return Mono.just(false);
        }
        return resolver.txt("_smtp._tls." + domain)
                .map(TlsReporting::reportingUris)
                .flatMap(uris -> {
                    if (uris.isEmpty()) {
                        return Mono.just(false); // the domain asks for no reports
                    }
                    String reportId = day + "_" + domain + "_" + UUID.randomUUID() + "@" + settings.hostName();
                    byte[] gzipped = gzip(report(day, domain, reportId, counted));
                    return Flux.fromIterable(uris)
                            .concatMap(uri -> deliver(uri, day, domain, reportId, gzipped)
                                    .thenReturn(true)
                                    .onErrorResume(error -> {
                                        log.info("the TLS report for {} of {} could not go to {}: {}", domain, day,
                                                uri, error.getMessage());
                                        return Mono.just(false);
                                    }))
                            // every URI gets the report (no short cut): sent when any of them took it
                            .reduce(false, (one, other) -> one || other)
                            .flatMap(sent -> sent ? Mono.just(true) : giveBack(day, counted, today));
                })
                .onErrorResume(error -> {
                    log.info("the TLS report for {} of {} could not be sent: {}", domain, day, error.toString());
                    return giveBack(day, counted, today);
                });
    }

    private Mono<Boolean> giveBack(LocalDate day, List<TlsSession> counted, LocalDate today) {
        if (day.plusDays(RETRY_DAYS).isBefore(today)) {
            log.info("the TLS report for {} of {} is dropped after {} days of failures", counted.get(0).policyDomain(),
                    day, RETRY_DAYS);
            return Mono.just(false);
        }
        return Flux.fromIterable(counted).concatMap(session -> sessions.add(day, session)).then(Mono.just(false))
                .onErrorResume(error -> {
                    log.warn("the TLS report counts for {} of {} could not be kept for another try: {}",
                            counted.get(0).policyDomain(), day, error.toString());
                    return Mono.just(false);
                });
    }

    private Mono<Void> deliver(URI uri, LocalDate day, String domain, String reportId, byte[] gzipped) {
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return http.postReport(uri, gzipped);
        }
        String recipient = mailtoAddress(uri);
        return mailer.send(new Envelope(settings.sender(), null, null, false, Envelope.Body.SEVEN_BIT), recipient,
                message(recipient, day, domain, reportId, gzipped));
    }

    /** The address of a {@code mailto:} URI: %XX decoded once, a + kept (RFC 6068 is no form encoding). */
    static String mailtoAddress(URI uri) {
        String to = uri.getSchemeSpecificPart();
        int query = to.indexOf('?');
        return query < 0 ? to : to.substring(0, query);
    }

    /**
     * The {@code rua} URIs of the one {@code v=TLSRPTv1} record (RFC 8460 §3): {@code mailto:} and {@code https:}
     * ones, in order; none when there is no such record, or more than one.
     */
    static List<URI> reportingUris(List<String> txt) {
        List<String> records = txt.stream().filter(record -> record.startsWith("v=TLSRPTv1;")).toList();
        if (records.size() != 1) {
            return List.of();
        }
        List<URI> uris = new ArrayList<>();
        for (String field : records.get(0).split(";")) {
            String trimmed = field.strip();
            if (trimmed.startsWith("rua=")) {
                for (String value : trimmed.substring(4).split(",")) {
                    try {
                        URI uri = new URI(value.strip());
                        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                        if (scheme.equals("https") || scheme.equals("mailto") && uri.getSchemeSpecificPart() != null
                                && uri.getSchemeSpecificPart().contains("@")) {
                            uris.add(uri);
                        }
                    } catch (URISyntaxException e) {
                        // an unusable URI is skipped; the others still get the report
                    }
                }
            }
        }
        return uris;
    }

    /** The report (RFC 8460 §4.4): one entry per policy, with its summary and its failure details. */
    byte[] report(LocalDate day, String domain, String reportId, List<TlsSession> counted) {
        ObjectNode root = JSON.createObjectNode();
        root.put("organization-name", settings.organization());
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", day + "T00:00:00Z");
        range.put("end-datetime", day + "T23:59:59Z");
        root.put("contact-info", settings.contact());
        root.put("report-id", reportId);
        ArrayNode policies = root.putArray("policies");
        Map<String, List<TlsSession>> byPolicy = new LinkedHashMap<>();
        counted.forEach(session -> byPolicy.computeIfAbsent(session.policyType() + " " + session.policyId(),
                key -> new ArrayList<>()).add(session));
        for (List<TlsSession> group : byPolicy.values()) {
            TlsSession first = group.get(0);
            ObjectNode entry = policies.addObject();
            ObjectNode policy = entry.putObject("policy");
            policy.put("policy-type", first.policyType());
            if (first.policyType().equals("sts") && !first.policyString().isEmpty()) {
                ArrayNode lines = policy.putArray("policy-string");
                first.policyString().lines().filter(line -> !line.isBlank()).forEach(lines::add);
                ArrayNode mx = policy.putArray("mx-host");
                first.policyString().lines().map(String::strip).filter(line -> line.startsWith("mx:"))
                        .forEach(line -> mx.add(line.substring(3).strip()));
            }
            policy.put("policy-domain", domain);
            long successes = group.stream().filter(TlsSession::successful).mapToLong(TlsSession::sessions).sum();
            long failures = group.stream().filter(s -> !s.successful()).mapToLong(TlsSession::sessions).sum();
            ObjectNode summary = entry.putObject("summary");
            summary.put("total-successful-session-count", successes);
            summary.put("total-failure-session-count", failures);
            ArrayNode details = entry.putArray("failure-details");
            group.stream().filter(s -> !s.successful()).forEach(session -> {
                ObjectNode detail = details.addObject();
                detail.put("result-type", session.resultType());
                detail.put("receiving-mx-hostname", session.mxHost());
                if (!session.receivingIp().isEmpty()) {
                    detail.put("receiving-ip", session.receivingIp());
                }
                detail.put("failed-session-count", session.sessions());
            });
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The report as mail (RFC 8460 §5.3): multipart/report of a short text and the gzipped JSON. */
    private byte[] message(String recipient, LocalDate day, String domain, String reportId, byte[] gzipped) {
        long start = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        long end = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - 1;
        String boundary = "=_tlsrpt_" + UUID.randomUUID();
        String filename = settings.hostName() + "!" + domain + "!" + start + "!" + end + ".json.gz";
        StringBuilder mail = new StringBuilder()
                .append("From: <").append(settings.sender()).append(">\r\n")
                .append("To: <").append(recipient).append(">\r\n")
                .append("Date: ").append(RFC_5322.format(ZonedDateTime.now(clock).withZoneSameInstant(ZoneOffset.UTC)))
                .append("\r\n")
                .append("Subject: Report Domain: ").append(domain).append(" Submitter: ").append(settings.hostName())
                .append(" Report-ID: <").append(reportId).append(">\r\n")
                .append("TLS-Report-Domain: ").append(domain).append("\r\n")
                .append("TLS-Report-Submitter: ").append(settings.hostName()).append("\r\n")
                .append("Message-ID: <").append(UUID.randomUUID()).append('@').append(settings.hostName())
                .append(">\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/report; report-type=\"tlsrpt\";\r\n\tboundary=\"").append(boundary)
                .append("\"\r\n\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Type: text/plain; charset=us-ascii\r\n\r\n")
                .append("This is an aggregate TLS report (RFC 8460) from ").append(settings.organization())
                .append(" about mail to ").append(domain).append(" on ").append(day).append(" (UTC).\r\n\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Type: application/tlsrpt+gzip\r\n")
                .append("Content-Transfer-Encoding: base64\r\n")
                .append("Content-Disposition: attachment; filename=\"").append(filename).append("\"\r\n\r\n")
                .append(Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(gzipped)).append("\r\n")
                .append("--").append(boundary).append("--\r\n");
        return mail.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 64);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.dispose();
        }
    }
}
