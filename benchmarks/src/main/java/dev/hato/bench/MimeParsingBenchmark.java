package dev.hato.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
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
 * The set-up the MIME parsing benchmarks share ({@link MessageIndexerBenchmark}, {@link MessageParserBenchmark},
 * {@link StructureScannerBenchmark}): the same JMH settings, the same {@code size} parameter, and the same two
 * messages of that size, {@link Messages#message the plain-text one} and {@link Messages#japanese the multipart
 * Japanese one}. Kept in one place so that the three measure the same inputs and their figures in
 * docs/benchmarks.md can be set side by side; JMH reads these annotations, the parameter and the set-up from the
 * superclass.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public abstract class MimeParsingBenchmark {

    /** Message size in octets. */
    @Param({"1024", "10240", "102400"})
    public int size;

    /** The plain-text test message of {@code size} octets. */
    protected byte[] plain = new byte[0];

    /** The multipart/alternative Japanese message of about {@code size} octets. */
    protected byte[] japanese = new byte[0];

    @Setup
    public final void prepare() throws IOException {
        plain = Messages.message(size);
        japanese = Messages.japanese(size);
        prepared();
    }

    /**
     * Called once the messages are built, before anything is measured: makes what the benchmark needs of them and
     * checks that it measures what it claims (a parse that went wrong would measure nothing).
     */
    protected abstract void prepared() throws IOException;
}
