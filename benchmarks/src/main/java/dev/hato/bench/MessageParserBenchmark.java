package dev.hato.bench;

import dev.hato.message.MessageLimits;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeEntity;
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
 * The push parser {@link MessageParser} on its own, fed the message in {@value #CHUNK}-octet slices of one array,
 * as SMTP DATA reads hand them over: {@code plain} and {@code multipart} as in {@link
 * StructureScannerBenchmark} (structure only, the MIME tree with offsets), {@code multipartWithText} also collecting
 * the decoded text to index in the same pass.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessageParserBenchmark {

    /** Message size in octets. */
    @Param({"1024", "10240", "102400"})
    public int size;

    static final int CHUNK = 16 * 1024;

    private static final MessageLimits LIMITS = new MessageLimits(10_000, 20, 1_000, 256 * 1024, 998);

    private byte[] plain = new byte[0];
    private byte[] multipart = new byte[0];

    @Setup
    public void prepare() {
        plain = Messages.message(size);
        multipart = MessageIndexerBenchmark.japaneseMessage(size);
        MessageParser.Parsed parsed = parse(MessageParser.withText(LIMITS, 256 * 1024, 1 << 20), multipart);
        if (parsed.root().children().size() != 2 || !parsed.bodyText().contains("本日の会議")) {
            throw new IllegalStateException("the multipart message was not parsed as expected");
        }
    }

    @Benchmark
    public MimeEntity plain() {
        return parse(MessageParser.structure(LIMITS), plain).root();
    }

    @Benchmark
    public MimeEntity multipart() {
        return parse(MessageParser.structure(LIMITS), multipart).root();
    }

    @Benchmark
    public MessageParser.Parsed multipartWithText() {
        return parse(MessageParser.withText(LIMITS, 256 * 1024, 1 << 20), multipart);
    }

    private static MessageParser.Parsed parse(MessageParser parser, byte[] message) {
        for (int offset = 0; offset < message.length; offset += CHUNK) {
            parser.feed(message, offset, Math.min(CHUNK, message.length - offset));
        }
        return parser.finish();
    }
}
