package dev.hato.bench;

import dev.hato.delivery.TraceHeaders;
import dev.hato.smtp.wire.ContentChecks;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The per-message header work of the SMTP session besides framing: {@link ContentChecks} over the decoded content
 * (bare LF detection and repair, RFC 5321 §2.3.8; header lines over RFC 5322 §2.1.1's 998 octets; NUL octets), and
 * the trace fields {@link TraceHeaders} prepends (RFC 5321 §4.4). One operation is one whole message: a fresh
 * {@code ContentChecks} (the session makes one per message) over the message in {@value Messages#NETWORK_READ}-octet
 * chunks, as the decoder hands them on; or one {@code TraceHeaders.of} call, whose cost does not depend on the
 * message size (the parameter only repeats it).
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HeaderScanBenchmark {

    private static final ZonedDateTime NOW = ZonedDateTime.of(2026, 6, 2, 9, 15, 2, 0, ZoneOffset.UTC);

    /** Message size in octets. */
    @Param({"1024", "10240", "102400"})
    public int size;

    /** The message as decoded chunks; rewound by each operation, never copied. */
    private ByteBuffer[] chunks = new ByteBuffer[0];

    @Setup
    public void prepare() {
        byte[] message = Messages.message(size);
        chunks = Messages.slices(message, Messages.NETWORK_READ);
        ContentChecks checks = new ContentChecks(true);
        for (ByteBuffer chunk : chunks) {
            if (checks.apply(chunk) != chunk) {
                throw new IllegalStateException("ContentChecks repaired a clean message");
            }
        }
        if (checks.headerLineTooLong() || checks.sawNul() || checks.sawBareLineFeed()) {
            throw new IllegalStateException("ContentChecks flagged a clean message");
        }
        // The checks must also see what they are there for, or they measure a loop that checks nothing.
        ContentChecks bad = new ContentChecks(true);
        byte[] badHeader = ("Subject: " + "x".repeat(1000) + "\nA: b\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer repaired = bad.apply(ByteBuffer.wrap(badHeader));
        if (!bad.headerLineTooLong() || !bad.sawBareLineFeed() || repaired.remaining() != badHeader.length + 1) {
            throw new IllegalStateException("ContentChecks missed a long header line or a bare LF");
        }
        String trace = new String(traceHeaders(), StandardCharsets.UTF_8);
        if (!trace.startsWith("Return-Path: <someone@example.org>\r\nReceived: from client.example.org ([192.0.2.10])")
                || !trace.endsWith("+0000\r\n")) {
            throw new IllegalStateException("unexpected trace fields: " + trace);
        }
    }

    @Benchmark
    public boolean contentChecks(Blackhole blackhole) {
        ContentChecks checks = new ContentChecks(true);
        for (ByteBuffer chunk : chunks) {
            blackhole.consume(checks.apply(chunk));
        }
        return checks.headerLineTooLong() | checks.sawNul() | checks.sawBareLineFeed();
    }

    @Benchmark
    public byte[] traceHeaders() {
        return TraceHeaders.of("someone@example.org", "client.example.org", "192.0.2.10", "mx.example.net", "ESMTP",
                "4f2a9c1e", List.of("user@example.org"), NOW);
    }
}
