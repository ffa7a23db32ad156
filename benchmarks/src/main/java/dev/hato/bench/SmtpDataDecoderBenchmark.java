package dev.hato.bench;

import dev.hato.protocol.wire.Decoded;
import dev.hato.smtp.wire.SmtpDataDecoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Receiving one message's DATA content: {@link SmtpDataDecoder} finds the end of data and unstuffs dots
 * (RFC 5321 §4.1.1.4, §4.5.2) over the content as it arrives in {@value Messages#NETWORK_READ}-octet reads. One
 * operation is one whole message, from a fresh decoder (one per message, as the session makes them) to
 * {@link Decoded.End}; so {@code gc.alloc.rate.norm} is the garbage one received message costs the decoder.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SmtpDataDecoderBenchmark {

    /** The session's default limit, 50 MiB: never reached here. */
    private static final long MAX_MESSAGE_SIZE = 50L * 1024 * 1024;

    /** Message size in octets, before dot-stuffing. */
    @Param({"1024", "10240", "102400"})
    public int size;

    /** The dot-stuffed content and its terminator, cut into reads; rewound by each operation, never copied. */
    private ByteBuffer[] reads = new ByteBuffer[0];

    @Setup
    public void prepare() {
        byte[] message = Messages.message(size);
        reads = Messages.slices(Messages.smtpData(message), Messages.NETWORK_READ);
        List<ByteBuffer> chunks = new ArrayList<>();
        SmtpDataDecoder decoder = new SmtpDataDecoder(MAX_MESSAGE_SIZE);
        for (ByteBuffer read : reads) {
            Decoded decoded;
            while ((decoded = decoder.next(read)) instanceof Decoded.Chunk chunk) {
                chunks.add(chunk.bytes());
            }
            if (decoded instanceof Decoded.End) {
                break;
            }
        }
        if (!decoder.ended() || decoder.sawBareLineFeedOrCarriageReturn()) {
            throw new IllegalStateException("the test content is not clean DATA content");
        }
        Messages.check("SmtpDataDecoder", message, Messages.concat(chunks));
    }

    @Benchmark
    public long decode(Blackhole blackhole) {
        SmtpDataDecoder decoder = new SmtpDataDecoder(MAX_MESSAGE_SIZE);
        for (ByteBuffer read : reads) {
            read.rewind();
            Decoded decoded;
            while ((decoded = decoder.next(read)) instanceof Decoded.Chunk chunk) {
                blackhole.consume(chunk.bytes());
            }
            if (decoded instanceof Decoded.End) {
                return decoder.size();
            }
        }
        throw new IllegalStateException("no end of data");
    }
}
