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
        return new Outcome(applied(checks, split), checks.headerLineTooLong());
    }

    /** What {@code checks} makes of the pieces of {@code split}, put together again. */
    private static String applied(ContentChecks checks, Fragments.Split split) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer piece : split.buffers()) {
            ByteBuffer result = checks.apply(piece);
            byte[] bytes = new byte[result.remaining()];
            result.get(bytes);
            out.writeBytes(bytes);
        }
        ByteBuffer end = checks.end();
        out.write(end.array(), end.arrayOffset() + end.position(), end.remaining());
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "crlf untouched        | A: 1\\r\\n\\r\\nbody\\r\\n          | A: 1\\r\\n\\r\\nbody\\r\\n",
        "bare lf repaired      | A: 1\\nB: 2\\n\\nbody\\nx\\r\\n   | A: 1\\r\\nB: 2\\r\\n\\r\\nbody\\r\\nx\\r\\n",
        "bare cr repaired      | A: 1\\r\\n\\r\\na\\rb\\r\\n        | A: 1\\r\\n\\r\\na\\r\\nb\\r\\n",
        "cr dot cr smuggling   | A: 1\\r\\n\\r\\na\\r.\\rMAIL\\r\\n  | A: 1\\r\\n\\r\\na\\r\\n.\\r\\nMAIL\\r\\n",
        "cr cr lf              | A: 1\\r\\r\\nB: 2\\r\\n\\r\\nx\\r\\n | A: 1\\r\\n\\r\\nB: 2\\r\\n\\r\\nx\\r\\n",
        "lf cr                 | A: 1\\r\\n\\r\\na\\n\\rb\\r\\n     | A: 1\\r\\n\\r\\na\\r\\n\\r\\nb\\r\\n",
        "trailing bare cr      | A: 1\\r\\n\\r\\nend\\r            | A: 1\\r\\n\\r\\nend\\r\\n",
        "lf dot lf             | A: 1\\r\\n\\r\\n\\n.\\n             | A: 1\\r\\n\\r\\n\\r\\n.\\r\\n"})
    void bareLineFeedsShouldBecomeCrlfWhateverTheChunking(String name, String input, String expected) {
        String in = unescape(input.trim());
        String want = unescape(expected.trim());
        for (Fragments.Split split : Fragments.of(in.getBytes(StandardCharsets.ISO_8859_1))) {
            assertThat(run(in, true, split).content()).as(split.name()).isEqualTo(want);
            assertThat(run(in, false, split).content()).as("reject mode passes bytes through").isEqualTo(in);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "crlf only          | A: 1\\r\\n\\r\\nbody\\r\\n | false | false",
        "bare cr in body    | A: 1\\r\\n\\r\\na\\r.\\rb\\r\\n | true | false",
        "bare cr in header  | A: 1\\rB: 2\\r\\n\\r\\nb\\r\\n | true | false",
        "bare cr at the end | A: 1\\r\\n\\r\\nb\\r | true | false",
        "bare lf only       | A: 1\\n\\nb\\r\\n | false | true"})
    void bareCarriageReturnsShouldBeNoticedLikeBareLineFeedsInBothModes(String name, String input, boolean cr,
                                                                         boolean lf) {
        String in = unescape(input.trim());
        for (Fragments.Split split : Fragments.of(in.getBytes(StandardCharsets.ISO_8859_1))) {
            for (boolean normalize : new boolean[] {true, false}) {
                ContentChecks checks = new ContentChecks(normalize);
                applied(checks, split);
                assertThat(checks.sawBareCarriageReturn()).as(split.name() + ", normalize " + normalize).isEqualTo(cr);
                assertThat(checks.sawBareLineFeed()).as(split.name() + ", normalize " + normalize).isEqualTo(lf);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aHeaderLineEndedByABareCarriageReturnShouldBeALineOfItsOwnOnceRepaired() {
        String message = "Received: from a\rReceived: from b\r\nSubject: x\r\n\r\nbody\r\n";
        for (Fragments.Split split : Fragments.of(message.getBytes(StandardCharsets.ISO_8859_1))) {
            ContentChecks checks = new ContentChecks(true);
            assertThat(applied(checks, split)).as(split.name())
                    .isEqualTo("Received: from a\r\nReceived: from b\r\nSubject: x\r\n\r\nbody\r\n");
            assertThat(checks.receivedFields()).as(split.name()).isEqualTo(2);
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

    @org.junit.jupiter.api.Test
    void aBinaryMimeBodyShouldPassUncheckedWhileItsHeaderIsChecked() {
        String message = "Subject: bin\nX: 1\r\n\r\nA\0B\nC\rD\r\n";
        for (Fragments.Split split : Fragments.of(message.getBytes(StandardCharsets.ISO_8859_1))) {
            ContentChecks checks = new ContentChecks(true, true);
            assertThat(applied(checks, split)).as(split.name())
                    .isEqualTo("Subject: bin\r\nX: 1\r\n\r\nA\0B\nC\rD\r\n");
            assertThat(checks.sawNul()).as(split.name()).isFalse();
            assertThat(checks.sawBareLineFeed()).as("the bare LF of the header").isTrue();
        }
    }

    @org.junit.jupiter.api.Test
    void receivedAndDeliveredToFieldsOfTheHeaderShouldBeCountedButNotThoseOfTheBody() {
        String message = "Received: from a\r\n\tby b; date\r\nRECEIVED: from c\r\n"
                + "Delivered-To: <Ann@Example.test>\r\ndelivered-to:bob@example.test\r\nSubject: x\r\n\r\n"
                + "Received: in the body\r\nDelivered-To: carol@example.test\r\n";
        for (Fragments.Split split : Fragments.of(message.getBytes(StandardCharsets.ISO_8859_1))) {
            ContentChecks checks = new ContentChecks(true);
            split.buffers().forEach(checks::apply);
            assertThat(checks.receivedFields()).as(split.name()).isEqualTo(2);
            assertThat(checks.deliveredTo()).as(split.name())
                    .containsExactlyInAnyOrder("ann@example.test", "bob@example.test");
            assertThat(checks.deliveredToAnyOf(java.util.List.of("carol@example.test", "BOB@example.test")))
                    .isEqualTo("BOB@example.test");
        }
    }

    private static String unescape(String text) {
        return text.replace("\\r", "\r").replace("\\n", "\n");
    }
}
