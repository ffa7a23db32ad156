package dev.hato.dsn;

import dev.hato.delivery.MessageSpool;
import dev.hato.store.Envelope;
import dev.hato.store.MessageContent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Builds delivery status notifications (RFC 3464) as multipart/report messages (RFC 6522).
 *
 * <p>TEMPORARY minimal implementation kept in the outbound branch until the DSN builder lands with the same API:
 * a human-readable part, the message/delivery-status part, and the original message (whole for RET=FULL or no RET
 * when it is small, else only its header as text/rfc822-headers, RFC 3462 §2 / RFC 3461 §4.3).
 */
public final class DeliveryReports {

    /** Larger originals are returned as headers only, whatever RET asked (RFC 3461 §4.3 lets the MTA decide). */
    static final long MAX_RETURNED = 256 * 1024;
    /** A header section longer than this is cut; the report must not grow without bound. */
    static final int MAX_HEADER = 64 * 1024;

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final String reportingMta;
    private final Clock clock;
    private final Path spoolDirectory;
    private final Scheduler io;

    public DeliveryReports(String reportingMta, Clock clock, Path spoolDirectory, Scheduler io) {
        this.reportingMta = reportingMta;
        this.clock = clock;
        this.spoolDirectory = spoolDirectory;
        this.io = io;
    }

    /**
     * A complete multipart/report message From MAILER-DAEMON@reportingMta to envelope.sender(), the original
     * attached per RET (headers only for RET=HDRS or when big), as MessageContent ready for a Delivery.
     */
    public Mono<MessageContent> report(Envelope envelope, Instant arrival, List<RecipientReport> recipients,
                                       MessageContent original) {
        if (recipients.isEmpty()) {
            return Mono.error(new IllegalArgumentException("a report needs at least one recipient"));
        }
        boolean full = envelope.ret() != Envelope.Ret.HDRS && original.size() <= MAX_RETURNED;
        String boundary = "=_hato_" + UUID.randomUUID();
        boolean delayed = recipients.stream().allMatch(r -> r.action() == RecipientReport.Action.DELAYED);
        boolean success = recipients.stream().allMatch(r -> r.action() == RecipientReport.Action.DELIVERED
                || r.action() == RecipientReport.Action.RELAYED || r.action() == RecipientReport.Action.EXPANDED);
        String subject = delayed ? "Delivery delayed" : success ? "Delivery report" : "Undelivered mail returned to sender";
        StringBuilder head = new StringBuilder();
        head.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append(">\r\n")
                .append("To: <").append(envelope.sender()).append(">\r\n")
                .append("Subject: ").append(subject).append("\r\n")
                .append("Date: ").append(DATE.format(clock.instant().atZone(ZoneOffset.UTC))).append("\r\n")
                .append("Message-ID: <").append(UUID.randomUUID()).append('@').append(reportingMta).append(">\r\n")
                .append("Auto-Submitted: auto-replied\r\n")
                .append("MIME-Version: 1.0\r\n")
                .append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"")
                .append(boundary).append("\"\r\n\r\n")
                .append("This is a MIME-encapsulated delivery status notification.\r\n\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n\r\n")
                .append(humanReadable(recipients)).append("\r\n")
                .append("--").append(boundary).append("\r\n")
                .append("Content-Type: message/delivery-status\r\n\r\n")
                .append(machineReadable(envelope, arrival, recipients))
                .append("--").append(boundary).append("\r\n")
                .append("Content-Type: ").append(full ? "message/rfc822" : "text/rfc822-headers").append("\r\n\r\n");
        String tail = "\r\n--" + boundary + "--\r\n";
        Flux<ByteBuffer> originalPart = full ? original.chunks() : headerOf(original);
        return Mono.defer(() -> {
            MessageSpool spool = new MessageSpool(spoolDirectory, 1024 * 1024, io);
            return Flux.concat(Mono.just(bytes(head.toString())), originalPart.map(ByteBuffer::duplicate),
                            Mono.fromSupplier(() -> bytes(tail)))
                    .concatMap(chunk -> spool.append(copy(chunk)))
                    .then(Mono.defer(spool::finish))
                    .doOnError(error -> spool.discard());
        });
    }

    private String humanReadable(List<RecipientReport> recipients) {
        StringBuilder text = new StringBuilder("This is the mail system at ").append(reportingMta).append(".\r\n\r\n");
        for (RecipientReport recipient : recipients) {
            text.append('<').append(recipient.finalRecipient()).append(">: ")
                    .append(switch (recipient.action()) {
                        case FAILED -> "delivery failed";
                        case DELAYED -> "delivery delayed, still trying";
                        case DELIVERED -> "delivered";
                        case RELAYED -> "relayed to a server that does not send delivery reports";
                        case EXPANDED -> "expanded";
                    });
            if (recipient.diagnostic() != null) {
                text.append(": ").append(recipient.diagnostic());
            }
            text.append("\r\n");
        }
        return text.toString();
    }

    private String machineReadable(Envelope envelope, Instant arrival, List<RecipientReport> recipients) {
        // RFC 3464 §2.2 per-message fields, then §2.3 per-recipient fields, each group ended by a blank line.
        StringBuilder fields = new StringBuilder();
        if (envelope.envId() != null) {
            fields.append("Original-Envelope-Id: ").append(envelope.envId()).append("\r\n");
        }
        fields.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n")
                .append("Arrival-Date: ").append(DATE.format(arrival.atZone(ZoneOffset.UTC))).append("\r\n\r\n");
        String addressType = envelope.utf8() ? "utf-8" : "rfc822";
        for (RecipientReport recipient : recipients) {
            if (recipient.originalRecipient() != null) {
                fields.append("Original-Recipient: ").append(recipient.originalRecipient()).append("\r\n");
            }
            fields.append("Final-Recipient: ").append(addressType).append("; ").append(recipient.finalRecipient())
                    .append("\r\n")
                    .append("Action: ").append(recipient.action().name().toLowerCase(Locale.ROOT)).append("\r\n")
                    .append("Status: ").append(recipient.status()).append("\r\n");
            if (recipient.remoteMta() != null) {
                fields.append("Remote-MTA: dns; ").append(recipient.remoteMta()).append("\r\n");
            }
            if (recipient.diagnostic() != null) {
                fields.append("Diagnostic-Code: ").append(oneLine(recipient.diagnostic())).append("\r\n");
            }
            if (recipient.lastAttempt() != null) {
                fields.append("Last-Attempt-Date: ").append(DATE.format(recipient.lastAttempt().atZone(ZoneOffset.UTC)))
                        .append("\r\n");
            }
            if (recipient.willRetryUntil() != null) {
                fields.append("Will-Retry-Until: ")
                        .append(DATE.format(recipient.willRetryUntil().atZone(ZoneOffset.UTC))).append("\r\n");
            }
            fields.append("\r\n");
        }
        return fields.toString();
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }

    /** The original's header section (up to the blank line), read as a stream and cut at {@link #MAX_HEADER}. */
    private static Flux<ByteBuffer> headerOf(MessageContent original) {
        return Flux.defer(() -> {
            int[] state = {0}; // how much of CRLF CRLF was matched
            int[] taken = {0};
            AtomicBoolean done = new AtomicBoolean();
            return original.chunks()
                    .takeWhile(chunk -> !done.get())
                    .map(chunk -> {
                        ByteBuffer in = chunk.duplicate();
                        int start = in.position();
                        int end = in.limit();
                        for (int i = start; i < in.limit(); i++) {
                            byte b = in.get(i);
                            state[0] = switch (state[0]) {
                                case 0, 2 -> b == '\r' ? state[0] + 1 : 0;
                                case 1, 3 -> b == '\n' ? state[0] + 1 : (b == '\r' ? 1 : 0);
                                default -> state[0];
                            };
                            if (state[0] == 4 || taken[0] + (i - start) >= MAX_HEADER) {
                                end = i + 1;
                                done.set(true);
                                break;
                            }
                        }
                        taken[0] += end - start;
                        return in.limit(end).slice();
                    });
        });
    }

    private static ByteBuffer bytes(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuffer copy(ByteBuffer chunk) {
        ByteBuffer copy = ByteBuffer.allocate(chunk.remaining());
        copy.put(chunk.duplicate()).flip();
        return copy;
    }
}
