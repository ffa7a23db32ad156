package dev.hato.bench;

import dev.hato.imap.fetch.StructureScanner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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

/**
 * The structure of one message through {@link StructureScanner#scan}, the blocking entry point FETCH's structure has
 * always been computed by, reading the message from a {@link ByteArrayInputStream}: {@code plain} is the plain-text
 * test message of {@code size} octets, {@code multipart} the multipart/alternative Japanese one of {@link
 * MessageIndexerBenchmark}. Before issue 12 the scanner was a pull parser of its own (a line reader over the
 * stream); now it feeds {@code dev.hato.message.MessageParser}, so the same benchmark, run on both commits,
 * compares the two parsers (see docs/benchmarks.md).
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StructureScannerBenchmark {

    /** Message size in octets. */
    @Param({"1024", "10240", "102400"})
    public int size;

    private final StructureScanner scanner = new StructureScanner(20, 256 * 1024, 10_000);
    private byte[] plain = new byte[0];
    private byte[] multipart = new byte[0];

    @Setup
    public void prepare() throws IOException {
        plain = Messages.message(size);
        multipart = MessageIndexerBenchmark.japaneseMessage(size);
        if (!scanner.scan(new ByteArrayInputStream(multipart)).bodyStructure().startsWith("((\"TEXT\" \"PLAIN\"")) {
            throw new IllegalStateException("the multipart message was not described as expected");
        }
    }

    @Benchmark
    public Object plain() throws IOException {
        return scanner.scan(new ByteArrayInputStream(plain));
    }

    @Benchmark
    public Object multipart() throws IOException {
        return scanner.scan(new ByteArrayInputStream(multipart));
    }
}
