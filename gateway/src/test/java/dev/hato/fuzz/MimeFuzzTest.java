package dev.hato.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hato.message.MessageLimits;
import dev.hato.message.MessageParser;
import java.util.List;

/**
 * The MIME parser ({@link MessageParser#structure}, no text collection) meets the fuzzer, fed whole and cut at
 * points the fuzzer chooses: the breach and the parsed tree must be the same both ways, and nothing may throw. {@code
 * DecoderFuzzTest#mime}, which also collects text, crashes the JVM under Jazzer's fuzzing (SIGSEGV in class
 * resolution, outside Hato's code; replaying works), so this target is the one run by hand, with the message module
 * in the reactor so that its classes are instrumented: {@code JAZZER_FUZZ=1 mvn test -pl message,gateway
 * -Dtest=MimeFuzzTest} (docs/security.md, "Fuzzing").
 */
class MimeFuzzTest {

    @FuzzTest(maxDuration = "60m", maxExecutions = 10_000_000)
    void structure(FuzzedDataProvider data) {
        MessageLimits limits = new MessageLimits(data.consumeInt(1, 40), data.consumeInt(1, 6),
                data.consumeInt(1, 40), data.consumeInt(1, 4096), MessageLimits.RFC_5322_LINE + data.consumeInt(0, 8));
        Splits input = Splits.of(data);
        MessageParser whole = MessageParser.structure(limits, MessageLimits.RFC_5322_LINE);
        whole.feed(input.whole(), 0, input.whole().length);
        String wholeBreach = String.valueOf(whole.end());
        String wholeParsed = whole.finish().toString();
        MessageParser split = MessageParser.structure(limits, MessageLimits.RFC_5322_LINE);
        for (byte[] piece : input.pieces()) {
            split.feed(piece, 0, piece.length);
        }
        assertThat(String.valueOf(split.end())).isEqualTo(wholeBreach);
        assertThat(split.finish().toString()).isEqualTo(wholeParsed);
        assertThat(List.of(wholeParsed)).isNotEmpty();
    }
}
