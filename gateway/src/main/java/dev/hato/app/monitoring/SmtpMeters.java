package dev.hato.app.monitoring;

import dev.hato.maillog.MailEvent;
import dev.hato.maillog.MailLog;
import dev.hato.protocol.Action;
import dev.hato.protocol.ProtocolSession;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * The SMTP meters of one listener, taken from outside the session so the session code stays as it is:
 * {@link #watch} wraps a session and counts the octets it receives and each reply it gives (by code and class, read
 * from the reply lines it writes); {@link #observe} wraps the listener's mail log and counts what the session reports
 * there anyway: each message whose content was received (with its size) and each refusal of MAIL, RCPT or DATA.
 *
 * <p>Tags are bounded by the code, never by the client: the listener name, a reply code that is three digits from
 * 200 to 599 written by Hato itself, a stage out of four (other stages the mail log may report are not counted here).
 */
public final class SmtpMeters {

    private final MeterRegistry meters;
    private final String listener;
    private final Counter receivedBytes;
    private final Counter transactionsReceived;
    private final Counter transactionsRefused;
    private final DistributionSummary messageSize;
    private final Map<String, Counter> rejections = new ConcurrentHashMap<>();
    private final Map<String, Counter> replies = new ConcurrentHashMap<>();

    public SmtpMeters(MeterRegistry meters, String listener) {
        this.meters = meters;
        this.listener = listener;
        receivedBytes = Counter.builder("hato.smtp.received").baseUnit("bytes")
                .description("Octets received on SMTP connections (commands and message content)")
                .tag("listener", listener).register(meters);
        transactionsReceived = transactions("received");
        transactionsRefused = transactions("refused");
        messageSize = DistributionSummary.builder("hato.smtp.message.size").baseUnit("bytes")
                .description("Size of the messages received over SMTP, as spooled")
                .tag("listener", listener).serviceLevelObjectives(10_240, 102_400, 1_048_576, 10_485_760)
                .register(meters);
        for (String stage : new String[] {"MAIL", "RCPT", "DATA", "BDAT"}) {
            rejections.put(stage, Counter.builder("hato.smtp.rejections")
                    .description("Refusals (4xx or 5xx) of MAIL, RCPT, DATA or BDAT and of message content")
                    .tag("listener", listener).tag("stage", stage).register(meters));
        }
    }

    private Counter transactions(String outcome) {
        return Counter.builder("hato.smtp.transactions")
                .description("SMTP transactions that reached DATA or BDAT: received (content handed to delivery) or"
                        + " refused (DATA, BDAT, the content or its delivery refused)")
                .tag("listener", listener).tag("outcome", outcome).register(meters);
    }

    /** The listener's mail log, counting its events as they pass. */
    public MailLog observe(MailLog log) {
        return event -> {
            count(event);
            log.record(event);
        };
    }

    private void count(MailEvent event) {
        if (MailEvent.RECEIVED.equals(event.event())) {
            transactionsReceived.increment();
            if (event.fields().get("size") instanceof Number size) {
                messageSize.record(size.doubleValue());
            }
        } else if (MailEvent.REJECTED.equals(event.event())) {
            Object stage = event.fields().get("stage");
            Counter counter = stage == null ? null : rejections.get(stage.toString());
            if (counter != null) {
                counter.increment();
            }
            if ("DATA".equals(stage) || "BDAT".equals(stage)) {
                transactionsRefused.increment();
            }
        }
    }

    /** {@code session}, with its input octets and replies counted. */
    public ProtocolSession watch(ProtocolSession session) {
        return new Watched(session);
    }

    /** Counts every final reply line (code followed by a space or the end of the line) in {@code bytes}. */
    void countReplies(ByteBuffer bytes) {
        ByteBuffer buffer = bytes.duplicate();
        int lineStart = buffer.position();
        int limit = buffer.limit();
        for (int i = lineStart; i < limit; i++) {
            if (buffer.get(i) == '\n') {
                countReply(buffer, lineStart, i);
                lineStart = i + 1;
            }
        }
        if (lineStart < limit) {
            countReply(buffer, lineStart, limit);
        }
    }

    private void countReply(ByteBuffer buffer, int start, int end) {
        if (end - start < 3) {
            return;
        }
        byte first = buffer.get(start);
        byte second = buffer.get(start + 1);
        byte third = buffer.get(start + 2);
        if (first < '2' || first > '5' || second < '0' || second > '9' || third < '0' || third > '9') {
            return;
        }
        if (end - start > 3) {
            byte after = buffer.get(start + 3);
            if (after != ' ' && after != '\r' && after != '\n') {
                return; // "250-": a line of a multi-line reply; its last line counts
            }
        }
        String code = new String(new char[] {(char) first, (char) second, (char) third});
        replies.computeIfAbsent(code, c -> Counter.builder("hato.smtp.replies")
                .description("SMTP replies sent, by code and class")
                .tag("listener", listener).tag("code", c).tag("class", c.charAt(0) + "xx")
                .register(meters)).increment();
    }

    /**
     * A session with its traffic counted; everything else is the wrapped session's. It overrides every method of
     * {@link ProtocolSession}, defaults included, so that nothing the edge tells a session stops here
     * (SmtpMetersTest checks it).
     */
    private final class Watched implements ProtocolSession {
        private final ProtocolSession session;

        Watched(ProtocolSession session) {
            this.session = session;
        }

        private Flux<Action> counted(Flux<Action> actions) {
            return actions.doOnNext(action -> {
                if (action instanceof Action.Write write) {
                    countReplies(write.bytes());
                } else if (action instanceof Action.StartTls startTls) {
                    countReplies(startTls.reply());
                }
            });
        }

        @Override
        public Flux<Action> open() {
            return counted(session.open());
        }

        @Override
        public Flux<Action> receive(ByteBuffer input) {
            receivedBytes.increment(input.remaining());
            return counted(session.receive(input));
        }

        @Override
        public Duration idleTimeout() {
            return session.idleTimeout();
        }

        @Override
        public Flux<Action> idle() {
            return counted(session.idle());
        }

        @Override
        public Flux<Action> shutdown() {
            return counted(session.shutdown());
        }

        @Override
        public Flux<Action> unsolicited() {
            return counted(session.unsolicited());
        }

        @Override
        public boolean authenticated() {
            return session.authenticated();
        }

        @Override
        public boolean busy() {
            return session.busy();
        }

        @Override
        public @org.jspecify.annotations.Nullable Flux<Action> afterTlsEstablished() {
            return session.afterTlsEstablished();
        }

        @Override
        public void tlsEstablished(dev.hato.protocol.TlsParameters tls) {
            session.tlsEstablished(tls);
        }

        @Override
        public void closed() {
            session.closed();
        }
    }
}
