package dev.hato.dsn;

import dev.hato.dsn.RecipientReport.Action;
import dev.hato.message.HeaderSectionEnd;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.queue.Envelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import reactor.core.publisher.Flux;

/**
 * Builds delivery status notifications: a {@code multipart/report; report-type=delivery-status} message (RFC 6522,
 * RFC 3464) from {@code MAILER-DAEMON@<reporting MTA>} to the envelope sender, with a plain-English explanation, the
 * machine-readable {@code message/delivery-status} part and the original message (RFC 3461 §6.2).
 *
 * <p>The original is returned whole ({@code message/rfc822}) only in a failure report, when the sender did not ask
 * for headers only ({@code RET=HDRS}) and it is at most {@link #maxReturnedSize()} octets; otherwise only its header
 * section is returned ({@code text/rfc822-headers}). A report that is only about successes (delivered, relayed,
 * expanded) of a message from an {@linkplain Origin#UNAUTHENTICATED unauthenticated} sender returns nothing of it:
 * see {@link Origin}. A message sent with SMTPUTF8 gets the RFC 6533 types
 * {@code message/global}, {@code message/global-delivery-status} and {@code message/global-headers}.
 *
 * <p>The report is a stream of chunks, the original's read from it as they are asked for, so a big original is
 * never held in memory; whoever stores it spools it ({@code dev.hato.delivery.DeliveringReportSender}). Writing a
 * report depends on nothing of delivery: the pipeline uses this package, never the other way. The boundary and Message-ID are derived from the
 * original's SHA-256, the clock and the recipients, so a report is reproducible (and the boundary cannot occur in the
 * original: it would have to contain a hash of itself).
 */
public final class DeliveryReports {

    /**
     * Whether the sender of the reported message was authenticated, which decides what a success report may quote.
     * On port 25 the envelope sender is whatever the client claims: a success report goes to that address, which
     * may be a victim's, and quoting the original there would reflect the forger's text (its header section:
     * subject, any field it likes) to the victim through this server — backscatter that carries a payload — and
     * show the victim Hato's trace fields. RFC 3461 §4.3 makes RET govern failure reports only, and RFC 3464 §2
     * makes the returned-content part optional, so a success report about mail from an unauthenticated sender
     * carries the explanation and the {@code message/delivery-status} part, nothing else; the sender who really
     * asked identifies the message by its ENVID, Original-Recipient and Arrival-Date. A failure or delay report
     * returns what RET asks whatever the origin, as any bounce must (RFC 5321 §6.1), and so does a report that
     * mixes a failure with successes (the failure alone would return as much).
     */
    public enum Origin { AUTHENTICATED, UNAUTHENTICATED }

    /** The largest original returned whole; bigger ones are returned as their header section (10 MiB). */
    public static final long DEFAULT_MAX_RETURNED_SIZE = 10L * 1024 * 1024;

    /** RFC 5322 §2.1.1: a line is at most 998 octets without its CRLF. */
    static final int MAX_LINE = 998;

    /** The most of a remote server's answer quoted, so a field and a text line stay within {@link #MAX_LINE}. */
    static final int MAX_DIAGNOSTIC = 800;

    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT);
    private static final byte[] CRLF = {'\r', '\n'};
    /** RFC 1034 §3.5 host names, with a trailing dot tolerated; address literals are not host names here. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9-]{1,63})*\\.?");
    /** RFC 3464 §2.1.2 address-type: an atom; we accept the usual letters, digits and hyphens. */
    private static final Pattern ADDRESS_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,30}");

    private final String reportingMta;
    private final Clock clock;
    private final long maxReturnedSize;

    /** Reports returning originals up to {@link #DEFAULT_MAX_RETURNED_SIZE}. */
    public DeliveryReports(String reportingMta, Clock clock) {
        this(reportingMta, clock, DEFAULT_MAX_RETURNED_SIZE);
    }

    /**
     * @param reportingMta    this server's host name, as in {@code Reporting-MTA: dns; <host>}
     * @param maxReturnedSize the largest original returned whole (at least 1 octet); bigger ones are returned as
     *                        their header section, itself cut at this size
     */
    public DeliveryReports(String reportingMta, Clock clock, long maxReturnedSize) {
        if (!HOST.matcher(reportingMta).matches() || reportingMta.length() > 253) {
            throw new IllegalArgumentException("the reporting MTA must be a host name, not \"" + reportingMta + "\"");
        }
        if (maxReturnedSize < 1) {
            throw new IllegalArgumentException("maxReturnedSize must be positive, not " + maxReturnedSize);
        }
        this.reportingMta = reportingMta;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxReturnedSize = maxReturnedSize;
    }

    public long maxReturnedSize() {
        return maxReturnedSize;
    }

    /**
     * The envelope to send a report with: the null reverse-path, so that a report never causes another report
     * (RFC 3461 §6.1, RFC 5321 §4.5.5), without RET or ENVID, SMTPUTF8 when the original was sent with it, and a body
     * type that covers whatever of the original the report returns.
     */
    public static Envelope envelopeFor(Envelope original) {
        Envelope.Body body = original.body() == Envelope.Body.SEVEN_BIT && !original.utf8()
                ? Envelope.Body.SEVEN_BIT
                : original.body() == Envelope.Body.BINARY_MIME ? Envelope.Body.BINARY_MIME
                : Envelope.Body.EIGHT_BIT_MIME;
        return new Envelope("", null, null, original.utf8(), body);
    }

    /**
     * A complete report about {@code recipients} of the message {@code original}, which arrived at {@code arrival}
     * with {@code envelope}. Errors with {@link IllegalArgumentException} for a null sender (no report is ever sent
     * to {@code <>}) or no recipients. The result is the report's octets, in order, each chunk one the receiver may
     * keep (the original's own chunks are copied, as their source may reuse them).
     */
    public Flux<ByteBuffer> report(Envelope envelope, Instant arrival, List<RecipientReport> recipients,
                                   MessageContent original, Origin origin) {
        if (envelope.nullSender()) {
            return Flux.error(new IllegalArgumentException(
                    "no delivery report is sent to the null reverse-path (RFC 5321 §4.5.5)"));
        }
        if (recipients.isEmpty()) {
            return Flux.error(new IllegalArgumentException("a delivery report needs at least one recipient"));
        }
        List<RecipientReport> reported = List.copyOf(recipients);
        return Flux.defer(() -> {
            Instant now = clock.instant();
            Set<Action> actions = EnumSet.noneOf(Action.class);
            reported.forEach(recipient -> actions.add(recipient.action()));
            boolean failure = actions.contains(Action.FAILED);
            // RFC 3461 §4.3: RET governs failure reports; a delay or success report returns the headers only, and
            // so does one whose original is too big to send back.
            boolean full = failure && envelope.ret() != Envelope.Ret.HDRS && original.size() <= maxReturnedSize;
            // Origin: nothing of the original in a success-only report about mail from an unauthenticated sender.
            boolean quoted = failure || actions.contains(Action.DELAYED) || origin == Origin.AUTHENTICATED;
            boolean global = envelope.utf8() || !isAscii(envelope.sender())
                    || reported.stream().anyMatch(DeliveryReports::needsUtf8);
            String token = token(original, now, reported);
            Layout layout = new Layout(envelope, arrival, reported, actions, full, quoted, global, now, token);
            byte[] head = layout.head().getBytes(StandardCharsets.UTF_8);
            byte[] tail = ("\r\n--" + layout.boundary() + "--\r\n").getBytes(StandardCharsets.US_ASCII);
            Flux<ByteBuffer> returned = !quoted ? Flux.empty()
                    : full ? original.chunks() : headerSection(original.chunks(), maxReturnedSize);
            return Flux.concat(Flux.just(ByteBuffer.wrap(head)), returned.map(DeliveryReports::copy),
                    Flux.just(ByteBuffer.wrap(tail)));
        });
    }

    /** Everything of the report before the returned original, and how it is laid out. */
    private final class Layout {
        private final Envelope envelope;
        private final Instant arrival;
        private final List<RecipientReport> recipients;
        private final Set<Action> actions;
        private final boolean full;
        private final boolean quoted;
        private final boolean global;
        private final Instant now;
        private final String token;

        Layout(Envelope envelope, Instant arrival, List<RecipientReport> recipients, Set<Action> actions,
               boolean full, boolean quoted, boolean global, Instant now, String token) {
            this.envelope = envelope;
            this.arrival = arrival;
            this.recipients = recipients;
            this.actions = actions;
            this.full = full;
            this.quoted = quoted;
            this.global = global;
            this.now = now;
            this.token = token;
        }

        String boundary() {
            return "=_hato-report-" + token;
        }

        String head() {
            StringBuilder out = new StringBuilder(4096);
            // RFC 3461 §6.2 / RFC 3834 §5: who sends it, and that it is an automatic answer nobody should answer.
            field(out, "From", "Mail Delivery System <MAILER-DAEMON@" + reportingMta + ">");
            field(out, "To", "<" + clean(envelope.sender()) + ">");
            field(out, "Subject", subject());
            field(out, "Date", date(now));
            field(out, "Message-ID", "<" + STAMP.format(zoned(now)) + "." + token.substring(0, 16) + "@"
                    + reportingMta + ">");
            field(out, "MIME-Version", "1.0");
            field(out, "Auto-Submitted", "auto-replied");
            // RFC 6522 §3: report-type names the second part's type; the boundary goes on its own folded line.
            out.append("Content-Type: multipart/report; report-type=")
                    .append(global ? "global-delivery-status" : "delivery-status").append(";\r\n")
                    .append("\tboundary=\"").append(boundary()).append("\"\r\n")
                    .append("\r\n")
                    .append("This is a MIME-encapsulated message.\r\n");
            boolean utf8Text = global;
            partStart(out);
            field(out, "Content-Description", "Notification");
            field(out, "Content-Type", "text/plain; charset=" + (utf8Text ? "utf-8" : "us-ascii"));
            field(out, "Content-Transfer-Encoding", utf8Text ? "8bit" : "7bit");
            out.append("\r\n");
            explanation(out);
            partStart(out);
            field(out, "Content-Description", "Delivery report");
            field(out, "Content-Type", global ? "message/global-delivery-status" : "message/delivery-status");
            if (global) {
                field(out, "Content-Transfer-Encoding", "8bit");
            }
            out.append("\r\n");
            status(out);
            if (quoted) {
                partStart(out);
                originalPartHeader(out);
            }
            return out.toString();
        }

        private void partStart(StringBuilder out) {
            out.append("\r\n--").append(boundary()).append("\r\n");
        }

        private String subject() {
            if (actions.contains(Action.FAILED)) {
                return "Undelivered Mail Returned to Sender";
            }
            if (actions.contains(Action.DELAYED)) {
                return "Delivery Status Notification (Delay)";
            }
            return "Delivery Status Notification (Success)";
        }

        /** The human-readable part: a paragraph per kind of news, then one entry per recipient. */
        private void explanation(StringBuilder out) {
            line(out, "This is the mail system at " + reportingMta + ".");
            line(out, "");
            if (actions.contains(Action.FAILED)) {
                line(out, "Your message could not be delivered to one or more recipients, and the mail system");
                line(out, "has given up. " + (full ? "The message is attached below."
                        : "Its header section is attached below."));
                line(out, "");
            }
            if (actions.contains(Action.DELAYED)) {
                line(out, "Your message has not been delivered yet to one or more recipients. The mail system");
                line(out, "will keep trying; you do not need to send it again. If it still cannot be delivered,");
                line(out, "you will be told.");
                line(out, "");
            }
            if (actions.contains(Action.DELIVERED) || actions.contains(Action.RELAYED)
                    || actions.contains(Action.EXPANDED)) {
                line(out, "Your message was delivered to the recipients marked below, as you asked to be told.");
                line(out, "");
            }
            line(out, "If you need help, write to postmaster@" + reportingMta + " and include this report.");
            line(out, "");
            line(out, "                   The mail system");
            for (RecipientReport recipient : recipients) {
                line(out, "");
                line(out, "<" + clean(recipient.finalRecipient()) + ">: " + verdict(recipient));
                if (recipient.remoteMta() != null && recipient.diagnostic() != null) {
                    line(out, "    The server " + host(recipient.remoteMta()) + " said: "
                            + diagnosticText(recipient.diagnostic()));
                } else if (recipient.diagnostic() != null) {
                    line(out, "    Reason: " + diagnosticText(recipient.diagnostic()));
                }
                if (recipient.action() == Action.DELAYED && recipient.willRetryUntil() != null) {
                    line(out, "    Delivery will be tried until " + date(recipient.willRetryUntil()) + ".");
                }
            }
        }

        private String verdict(RecipientReport recipient) {
            return switch (recipient.action()) {
                case FAILED -> "delivery failed (status " + recipient.status() + ").";
                case DELAYED -> "delivery delayed (status " + recipient.status() + ").";
                case DELIVERED -> "delivered.";
                case RELAYED -> "handed on to a system that does not report delivery; no further notice will come.";
                case EXPANDED -> "delivered, and passed on to the members of this list or alias.";
            };
        }

        /** RFC 3464 §2.2 per-message fields, then §2.3 per-recipient fields, each group ending with a blank line. */
        private void status(StringBuilder out) {
            if (envelope.envId() != null) {
                // RFC 3464 §2.2.1: the ENVID exactly as the client gave it, still xtext-encoded; first, as in §2.2.
                field(out, "Original-Envelope-Id", clean(envelope.envId()));
            }
            field(out, "Reporting-MTA", "dns; " + reportingMta);
            field(out, "Arrival-Date", date(arrival));
            for (RecipientReport recipient : recipients) {
                out.append("\r\n");
                if (recipient.originalRecipient() != null) {
                    field(out, "Original-Recipient", originalRecipient(recipient.originalRecipient()));
                }
                field(out, "Final-Recipient", address(recipient.finalRecipient()));
                field(out, "Action", recipient.action().name().toLowerCase(Locale.ROOT));
                field(out, "Status", recipient.status());
                if (recipient.remoteMta() != null) {
                    field(out, "Remote-MTA", "dns; " + host(recipient.remoteMta()));
                }
                if (recipient.diagnostic() != null) {
                    field(out, "Diagnostic-Code", diagnosticCode(recipient.diagnostic()));
                }
                if (recipient.lastAttempt() != null) {
                    field(out, "Last-Attempt-Date", date(recipient.lastAttempt()));
                }
                if (recipient.action() == Action.DELAYED && recipient.willRetryUntil() != null) {
                    field(out, "Will-Retry-Until", date(recipient.willRetryUntil()));
                }
            }
        }

        /** RFC 3464 §2.3.2 / RFC 6533 §3: {@code rfc822;} for ASCII addresses, {@code utf-8;} for the others. */
        private String address(String address) {
            String value = clean(address);
            return (isAscii(value) ? "rfc822;" : "utf-8;") + value;
        }

        private String originalRecipient(String orcpt) {
            int semicolon = orcpt.indexOf(';');
            if (semicolon > 0 && ADDRESS_TYPE.matcher(orcpt.substring(0, semicolon).trim()).matches()) {
                return orcpt.substring(0, semicolon).trim().toLowerCase(Locale.ROOT) + ";"
                        + clean(orcpt.substring(semicolon + 1).trim());
            }
            return address(orcpt);
        }

        private String diagnosticCode(String diagnostic) {
            String text = clean(diagnostic.trim());
            int semicolon = text.indexOf(';');
            if (semicolon > 0 && ADDRESS_TYPE.matcher(text.substring(0, semicolon).trim()).matches()) {
                return text.substring(0, semicolon).trim().toLowerCase(Locale.ROOT) + "; "
                        + cut(text.substring(semicolon + 1).trim(), MAX_DIAGNOSTIC);
            }
            return "smtp; " + cut(text, MAX_DIAGNOSTIC);
        }

        private String diagnosticText(String diagnostic) {
            String code = diagnosticCode(diagnostic);
            return code.substring(code.indexOf(';') + 1).trim();
        }

        /** The header of the part that returns the original, whole or its header section (RFC 3462 §3, RFC 6533). */
        private void originalPartHeader(StringBuilder out) {
            if (full) {
                field(out, "Content-Description", "Undelivered Message");
                field(out, "Content-Type", global ? "message/global" : "message/rfc822");
                // RFC 2046 §5.2.1: message/rfc822 is 7bit, 8bit or binary, as the original's body was declared.
                field(out, "Content-Transfer-Encoding", switch (envelope.body()) {
                    case SEVEN_BIT -> global ? "8bit" : "7bit";
                    case EIGHT_BIT_MIME -> "8bit";
                    case BINARY_MIME -> "binary";
                });
            } else {
                field(out, "Content-Description", actions.contains(Action.FAILED) ? "Undelivered Message Headers"
                        : "Message Headers");
                field(out, "Content-Type", global ? "message/global-headers" : "text/rfc822-headers");
                field(out, "Content-Transfer-Encoding",
                        global || envelope.body() != Envelope.Body.SEVEN_BIT ? "8bit" : "7bit");
            }
            out.append("\r\n");
        }

        /**
         * Anything that came from a peer (addresses, a remote server's answer) is made safe for a header field: no
         * control characters (a CR or LF would start a new field), and outside a UTF-8 report nothing but ASCII.
         */
        private String clean(String value) {
            StringBuilder out = new StringBuilder(value.length());
            value.codePoints().forEach(c -> {
                if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                    out.append(' ');
                } else if (c >= 0x80 && !global) {
                    out.append('?');
                } else {
                    out.appendCodePoint(c);
                }
            });
            return out.toString();
        }

        private String host(String name) {
            String value = clean(name.trim());
            return value.isEmpty() ? "unknown" : cut(value, 255);
        }
    }

    /** A header field on one line, its value cut so the line stays within {@link #MAX_LINE} octets. */
    static void field(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(fit(value, MAX_LINE - name.length() - 2)).append("\r\n");
    }

    static void line(StringBuilder out, String text) {
        out.append(fit(text, MAX_LINE)).append("\r\n");
    }

    /** {@code text} cut to at most {@code octets} octets of UTF-8, never inside a character. */
    static String fit(String text, int octets) {
        if (text.length() * 3 <= octets || text.getBytes(StandardCharsets.UTF_8).length <= octets) {
            return text;
        }
        int used = 0;
        int index = 0;
        while (index < text.length()) {
            int c = text.codePointAt(index);
            int size = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
            if (used + size > octets) {
                break;
            }
            used += size;
            index += Character.charCount(c);
        }
        return text.substring(0, index);
    }

    private static String cut(String text, int length) {
        if (text.length() <= length) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(length - 1)) ? length - 1 : length;
        return text.substring(0, end) + "...";
    }

    private ZonedDateTime zoned(Instant instant) {
        return ZonedDateTime.ofInstant(instant, clock.getZone());
    }

    /** RFC 5322 §3.3 date-time with a numeric zone (never the obsolete "GMT"). */
    private String date(Instant instant) {
        return DATE.format(zoned(instant));
    }

    private static boolean needsUtf8(RecipientReport recipient) {
        return !isAscii(recipient.finalRecipient())
                || recipient.originalRecipient() != null && !isAscii(recipient.originalRecipient());
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** A stable, unguessable-enough identifier of this report: boundary and Message-ID are made from it. */
    private String token(MessageContent original, Instant now, List<RecipientReport> recipients) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(original.sha256());
            digest.update(now.toString().getBytes(StandardCharsets.US_ASCII));
            digest.update(reportingMta.getBytes(StandardCharsets.US_ASCII));
            for (RecipientReport recipient : recipients) {
                digest.update((recipient.finalRecipient() + "\0" + recipient.action() + "\0" + recipient.status()
                        + "\0").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** A chunk the spool may keep: the source may reuse or share its buffers. */
    private static ByteBuffer copy(ByteBuffer chunk) {
        ByteBuffer copy = ByteBuffer.allocate(chunk.remaining());
        copy.put(chunk.duplicate()).flip();
        return copy;
    }

    /**
     * The original's header section (RFC 5322 §2.1: up to and including the empty line), cut after {@code limit}
     * octets (then ended with a CRLF). Reading stops there: the body of a big message is never read.
     */
    static Flux<ByteBuffer> headerSection(Flux<ByteBuffer> chunks, long limit) {
        return Flux.defer(() -> {
            HeaderEnd end = new HeaderEnd(limit);
            return chunks.<ByteBuffer>handle((chunk, sink) -> {
                        ByteBuffer slice = end.take(chunk);
                        if (slice.hasRemaining()) {
                            sink.next(slice);
                        }
                        if (end.done()) {
                            sink.complete();
                        }
                    })
                    .concatWith(Flux.defer(() -> end.endsWithLineBreak()
                            ? Flux.empty() : Flux.just(ByteBuffer.wrap(CRLF))));
        });
    }

    /** Finds the empty line that ends a header section across chunk borders; plain state, one per read. */
    private static final class HeaderEnd {
        private final long limit;
        private long taken;
        /** Finds the empty line (CRLF CRLF, a bare LF tolerated like a CRLF) across chunks. */
        private final HeaderSectionEnd header = new HeaderSectionEnd();
        private int previous = '\n';
        private boolean done;
        private boolean lineEnded = true;

        HeaderEnd(long limit) {
            this.limit = limit;
        }

        ByteBuffer take(ByteBuffer chunk) {
            ByteBuffer in = chunk.duplicate();
            int start = in.position();
            int end = start;
            while (!done && in.hasRemaining() && taken < limit) {
                byte b = in.get();
                end++;
                taken++;
                done = header.octet(b);
                previous = b;
            }
            if (taken >= limit) {
                done = true;
            }
            lineEnded = previous == '\n';
            ByteBuffer slice = chunk.duplicate();
            slice.position(start).limit(end);
            return copy(slice);
        }

        boolean done() {
            return done;
        }

        /** A header section cut at the limit (or a message without body) still ends with a line break. */
        boolean endsWithLineBreak() {
            return lineEnded && taken > 0;
        }
    }
}
