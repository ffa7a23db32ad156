package dev.hato.bench;

import dev.hato.pop3.wire.Pop3ContentEncoder;
import java.nio.ByteBuffer;
import java.util.ArrayList;
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
 * Sending one stored message for RETR: {@link Pop3ContentEncoder} byte-stuffs it (RFC 1939 §3) as it comes from the
 * store in {@value Messages#STORE_CHUNK}-octet chunks, then terminates the response. One operation is one whole
 * message from a fresh encoder (one per response, as the session makes them), so {@code gc.alloc.rate.norm} is the
 * garbage one RETR costs the encoder.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Pop3ContentEncoderBenchmark {

    /** Message size in octets, as stored (unstuffed). */
    @Param({"1024", "10240", "102400"})
    public int size;

    /** The stored message in store-sized chunks; rewound by each operation, never copied. */
    private ByteBuffer[] chunks = new ByteBuffer[0];

    @Setup
    public void prepare() {
        byte[] message = Messages.message(size);
        chunks = Messages.slices(message, Messages.STORE_CHUNK);
        List<ByteBuffer> encoded = new ArrayList<>();
        Pop3ContentEncoder encoder = Pop3ContentEncoder.retr();
        for (ByteBuffer chunk : chunks) {
            encoded.add(encoder.encode(chunk));
        }
        encoded.add(encoder.finish());
        Messages.check("Pop3ContentEncoder", Messages.pop3Retr(message), Messages.concat(encoded));
    }

    @Benchmark
    public void retr(Blackhole blackhole) {
        Pop3ContentEncoder encoder = Pop3ContentEncoder.retr();
        for (ByteBuffer chunk : chunks) {
            chunk.rewind();
            blackhole.consume(encoder.encode(chunk));
        }
        blackhole.consume(encoder.finish());
    }
}
