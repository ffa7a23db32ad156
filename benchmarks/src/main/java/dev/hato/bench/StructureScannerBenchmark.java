package dev.hato.bench;

import dev.hato.imap.fetch.StructureScanner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The structure of one message through {@link StructureScanner#scan}, the blocking entry point FETCH's structure has
 * always been computed by, reading the message from a {@link ByteArrayInputStream}: {@code plain} is the plain-text
 * test message of {@code size} octets, {@code multipart} the multipart/alternative Japanese one ({@link
 * Messages#japanese}). Before issue 12 the scanner was a pull parser of its own (a line reader over the
 * stream); now it feeds {@code dev.hato.message.MessageParser}, so the same benchmark, run on both commits,
 * compares the two parsers (see docs/benchmarks.md).
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
public class StructureScannerBenchmark extends MimeParsingBenchmark {

    private final StructureScanner scanner = new StructureScanner(20, 256 * 1024, 10_000);

    @Override
    protected void prepared() throws IOException {
        if (!scanner.scan(new ByteArrayInputStream(japanese)).bodyStructure().startsWith("((\"TEXT\" \"PLAIN\"")) {
            throw new IllegalStateException("the multipart message was not described as expected");
        }
    }

    @Benchmark
    public Object plain() throws IOException {
        return scanner.scan(new ByteArrayInputStream(plain));
    }

    @Benchmark
    public Object multipart() throws IOException {
        return scanner.scan(new ByteArrayInputStream(japanese));
    }
}
