package dev.hato.bench;

import dev.hato.message.MessageLimits;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeEntity;
import org.openjdk.jmh.annotations.Benchmark;

/**
 * The push parser {@link MessageParser} on its own, fed the message in {@value #CHUNK}-octet slices of one array,
 * as SMTP DATA reads hand them over: {@code plain} and {@code multipart} as in {@link
 * StructureScannerBenchmark} (structure only, the MIME tree with offsets), {@code multipartWithText} also collecting
 * the decoded text to index in the same pass.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
public class MessageParserBenchmark extends MimeParsingBenchmark {

    static final int CHUNK = 16 * 1024;

    private static final MessageLimits LIMITS = new MessageLimits(10_000, 20, 1_000, 256 * 1024, 998);

    @Override
    protected void prepared() {
        MessageParser.Parsed parsed = parse(MessageParser.withText(LIMITS, 256 * 1024, 1 << 20), japanese);
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
        return parse(MessageParser.structure(LIMITS), japanese).root();
    }

    @Benchmark
    public MessageParser.Parsed multipartWithText() {
        return parse(MessageParser.withText(LIMITS, 256 * 1024, 1 << 20), japanese);
    }

    private static MessageParser.Parsed parse(MessageParser parser, byte[] message) {
        for (int offset = 0; offset < message.length; offset += CHUNK) {
            parser.feed(message, offset, Math.min(CHUNK, message.length - offset));
        }
        return parser.finish();
    }
}
