package dev.hato.smtp.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.protocol.wire.Fragments;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContentChecksTest {

    private record Outcome(String content, boolean headerLineTooLong) { }

    private static Outcome run(String input, boolean normalize, Fragments.Split split) {
        ContentChecks checks = new ContentChecks(normalize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer piece : split.buffers()) {
            ByteBuffer result = checks.apply(piece);
            byte[] bytes = new byte[result.remaining()];
            result.get(bytes);
            out.writeBytes(bytes);
        }
        return new Outcome(out.toString(StandardCharsets.ISO_8859_1), checks.headerLineTooLong());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "crlf untouched        | A: 1\\r\\n\\r\\nbody\\r\\n          | A: 1\\r\\n\\r\\nbody\\r\\n",
        "bare lf repaired      | A: 1\\nB: 2\\n\\nbody\\nx\\r\\n   | A: 1\\r\\nB: 2\\r\\n\\r\\nbody\\r\\nx\\r\\n",
        "bare cr kept          | A: 1\\r\\n\\r\\na\\rb\\r\\n        | A: 1\\r\\n\\r\\na\\rb\\r\\n",
        "lf dot lf             | A: 1\\r\\n\\r\\n\\n.\\n             | A: 1\\r\\n\\r\\n\\r\\n.\\r\\n"})
    void bareLineFeedsShouldBecomeCrlfWhateverTheChunking(String name, String input, String expected) {
        String in = unescape(input.trim());
        String want = unescape(expected.trim());
        for (Fragments.Split split : Fragments.of(in.getBytes(StandardCharsets.ISO_8859_1))) {
            assertThat(run(in, true, split).content()).as(split.name()).isEqualTo(want);
            assertThat(run(in, false, split).content()).as("reject mode passes bytes through").isEqualTo(in);
        }
    }

    @ParameterizedTest(name = "{0} header octets")
    @CsvSource({"998, false", "999, true"})
    void headerLinesLongerThan998OctetsShouldBeFlaggedButNotBodyLines(int length, boolean flagged) {
        String message = "X: " + "h".repeat(length - 3) + "\r\nY: 1\r\n\r\n" + "b".repeat(5000) + "\r\n";
        for (Fragments.Split split : Fragments.sampled(message.getBytes(StandardCharsets.ISO_8859_1), 97)) {
            assertThat(run(message, true, split).headerLineTooLong()).as(split.name()).isEqualTo(flagged);
        }
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }
}
