package dev.hato.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hato.message.BaseSubject;
import dev.hato.message.EncodedWords;
import dev.hato.message.HeaderAddresses;
import dev.hato.message.MessageLimits;
import dev.hato.message.MessageParser;
import dev.hato.message.MimeHeaderValue;
import dev.hato.message.PreviewText;
import dev.hato.message.SentDate;
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

    /**
     * The header value parsers that every reader of a message meets (the webmail's lists and reader, the delivery
     * indexer's sort fields, DMARC's From domain): addresses, message IDs, encoded words, Content-Type and
     * Content-Disposition with RFC 2231 parameters, the base subject, the sent date, the preview. Each must answer
     * for any value and never throw; the answers must be bounded by the input.
     */
    @FuzzTest(maxDuration = "60m", maxExecutions = 10_000_000)
    void headerValues(FuzzedDataProvider data) {
        String value = data.consumeRemainingAsString();
        HeaderAddresses.Mailbox mailbox = HeaderAddresses.first(value);
        if (mailbox != null) {
            // An unterminated quoted string is closed in the address read, so it may be a little longer.
            assertThat(mailbox.address().length()).isLessThanOrEqualTo(2 * value.length() + 2);
        }
        assertThat(HeaderAddresses.messageIds(value).size()).isLessThanOrEqualTo(value.length() / 3 + 1);
        String decoded = EncodedWords.decode(value);
        assertThat(decoded.length()).isLessThanOrEqualTo(3 * value.length() + 16);
        for (MimeHeaderValue parsed : new MimeHeaderValue[] {MimeHeaderValue.contentType(value),
                MimeHeaderValue.disposition(value)}) {
            if (parsed != null) {
                assertThat(parsed.decodedParameters().size()).isLessThanOrEqualTo(parsed.parameters().size());
                parsed.decodedParameter("filename");
            }
        }
        MimeHeaderValue.languages(value);
        MimeHeaderValue.firstToken(value);
        // Lower-casing may lengthen a character (U+0130 becomes i and a combining dot), not more than that.
        assertThat(BaseSubject.of(decoded).length()).isLessThanOrEqualTo(2 * decoded.length());
        SentDate.parse(value);
        SentDate.day(value);
        String preview = PreviewText.of(decoded);
        // RFC 8970 counts "preview characters", code points (a surrogate pair is one).
        assertThat(preview.codePointCount(0, preview.length())).isLessThanOrEqualTo(PreviewText.MAX_CHARACTERS);
    }
}
