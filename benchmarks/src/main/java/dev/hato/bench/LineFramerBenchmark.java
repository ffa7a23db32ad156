package dev.hato.bench;

import dev.hato.protocol.wire.Decoded;
import dev.hato.protocol.wire.LineFramer;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Framing a pipelined envelope (RFC 2920): EHLO, MAIL FROM and {@value Messages#RECIPIENTS} RCPT TO lines arriving
 * in one read, cut into lines by the connection's {@link LineFramer}. One operation is the whole envelope; the
 * framer lives as long as the connection, so it is made once, and it is empty again after each operation.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LineFramerBenchmark {

    /** The session's default line limit. */
    static final int MAX_LINE_LENGTH = 4096;

    private ByteBuffer envelope = ByteBuffer.allocate(0);
    private LineFramer framer = new LineFramer(MAX_LINE_LENGTH);

    @Setup
    public void prepare() {
        envelope = ByteBuffer.wrap(Messages.envelope());
        framer = new LineFramer(MAX_LINE_LENGTH);
        int lines = 0;
        Decoded decoded;
        while ((decoded = framer.next(envelope)) instanceof Decoded.Line) {
            lines++;
        }
        if (lines != Messages.envelopeLines() || decoded != Decoded.NEED_MORE || envelope.hasRemaining()) {
            throw new IllegalStateException("framed " + lines + " lines, then " + decoded);
        }
    }

    @Benchmark
    public int envelope(Blackhole blackhole) {
        envelope.rewind();
        int lines = 0;
        Decoded decoded;
        while ((decoded = framer.next(envelope)) instanceof Decoded.Line line) {
            blackhole.consume(line.bytes());
            lines++;
        }
        return lines;
    }
}
