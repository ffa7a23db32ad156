package dev.hato.bench;

import dev.hato.protocol.wire.Decoded;
import dev.hato.protocol.wire.LineFramer;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.command.SmtpCommandParser;
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
 * Parsing envelope commands with {@link SmtpCommandParser} (RFC 5321 §4.1.1.2-3, §4.1.2): one MAIL FROM with two
 * parameters, one RCPT TO, and the whole pipelined envelope of {@link LineFramerBenchmark} framed, decoded to text
 * and parsed, as the session does it per line.
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SmtpCommandParserBenchmark {

    private final SmtpCommandParser parser = new SmtpCommandParser();
    // Fields, not constants, so that the JIT cannot fold the input.
    private String mailFrom = Messages.MAIL_FROM;
    private String rcptTo = Messages.RCPT_TO;
    private ByteBuffer envelope = ByteBuffer.allocate(0);
    private LineFramer framer = new LineFramer(LineFramerBenchmark.MAX_LINE_LENGTH);

    @Setup
    public void prepare() {
        mailFrom = Messages.MAIL_FROM;
        rcptTo = Messages.RCPT_TO;
        if (!(parser.parse(mailFrom) instanceof SmtpCommand.Mail mail)
                || !mail.reversePath().equals("someone@example.org")
                || !"10240".equals(mail.parameters().get("SIZE"))
                || !"8BITMIME".equals(mail.parameters().get("BODY"))) {
            throw new IllegalStateException("MAIL FROM parsed as " + parser.parse(mailFrom));
        }
        if (!(parser.parse(rcptTo) instanceof SmtpCommand.Rcpt rcpt)
                || !rcpt.forwardPath().equals("user@example.org")) {
            throw new IllegalStateException("RCPT TO parsed as " + parser.parse(rcptTo));
        }
        envelope = ByteBuffer.wrap(Messages.envelope());
        framer = new LineFramer(LineFramerBenchmark.MAX_LINE_LENGTH);
        int commands = 0;
        Decoded decoded;
        while ((decoded = framer.next(envelope)) instanceof Decoded.Line line) {
            SmtpCommand command = parser.parse(line.text());
            if (command instanceof SmtpCommand.Invalid || command instanceof SmtpCommand.Unknown) {
                throw new IllegalStateException(line + " parsed as " + command);
            }
            commands++;
        }
        if (commands != Messages.envelopeLines() || decoded != Decoded.NEED_MORE) {
            throw new IllegalStateException("parsed " + commands + " commands, then " + decoded);
        }
    }

    @Benchmark
    public SmtpCommand mailFrom() {
        return parser.parse(mailFrom);
    }

    @Benchmark
    public SmtpCommand rcptTo() {
        return parser.parse(rcptTo);
    }

    /** Frame, decode and parse the {@value Messages#RECIPIENTS}-recipient envelope: 22 lines per operation. */
    @Benchmark
    public int pipelinedEnvelope(Blackhole blackhole) {
        envelope.rewind();
        int commands = 0;
        Decoded decoded;
        while ((decoded = framer.next(envelope)) instanceof Decoded.Line line) {
            blackhole.consume(parser.parse(line.text()));
            commands++;
        }
        return commands;
    }
}
