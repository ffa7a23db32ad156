package dev.hato.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImapResponseReaderTest {

    /** Server output, and the responses it holds as "text | literal | literal …". */
    static Stream<Arguments> conversations() {
        return Stream.of(
                Arguments.of("* OK [CAPABILITY IMAP4rev1 IDLE] ready\r\n",
                        List.of("* OK [CAPABILITY IMAP4rev1 IDLE] ready")),
                Arguments.of("* 3 EXISTS\r\n* 0 RECENT\r\na1 OK [READ-WRITE] SELECT completed\r\n",
                        List.of("* 3 EXISTS", "* 0 RECENT", "a1 OK [READ-WRITE] SELECT completed")),
                // A literal holding CRLF and a "{5}" of its own, then more items after it on the same response.
                Arguments.of("* 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {21}\r\nSubject: a {5}\r\nx\r\n\r\n"
                                + " FLAGS (\\Seen))\r\na2 OK done\r\n",
                        List.of("* 1 FETCH (UID 7 BODY[HEADER.FIELDS (SUBJECT)] {21} FLAGS (\\Seen))"
                                + " | Subject: a {5}\r\nx\r\n\r\n", "a2 OK done")),
                // Two literals in one response, one of them empty.
                Arguments.of("* 2 FETCH (BODY[1] {0}\r\n BODY[2] {3}\r\nabc)\r\n",
                        List.of("* 2 FETCH (BODY[1] {0} BODY[2] {3}) |  | abc")),
                Arguments.of("+ idling\r\n* 4 EXISTS\r\n", List.of("+ idling", "* 4 EXISTS")),
                // A bare LF ends a line too.
                Arguments.of("* BYE logging out\na3 OK LOGOUT completed\r\n",
                        List.of("* BYE logging out", "a3 OK LOGOUT completed")));
    }

    @ParameterizedTest
    @MethodSource("conversations")
    void readerShouldCutTheSameResponsesWhateverTheFragmentation(String wire, List<String> expected) {
        byte[] bytes = wire.getBytes(StandardCharsets.UTF_8);
        assertThat(read(bytes, bytes.length)).as("in one piece").isEqualTo(expected);
        assertThat(read(bytes, 1)).as("one octet at a time").isEqualTo(expected);
        for (int split = 1; split < bytes.length; split++) {
            ImapResponseReader reader = new ImapResponseReader(1024, 1024);
            List<String> got = new ArrayList<>(describe(reader.feed(ByteBuffer.wrap(bytes, 0, split))));
            got.addAll(describe(reader.feed(ByteBuffer.wrap(bytes, split, bytes.length - split))));
            assertThat(got).as("split at %d", split).isEqualTo(expected);
        }
    }

    @Test
    void readerShouldKeepAnUnfinishedResponseUntilItsLiteralIsComplete() {
        ImapResponseReader reader = new ImapResponseReader(1024, 1024);

        assertThat(reader.feed(ascii("* 1 FETCH (BODY[] {10}\r\n12345"))).isEmpty();
        assertThat(describe(reader.feed(ascii("67890)\r\n")))).containsExactly("* 1 FETCH (BODY[] {10}) | 1234567890");
    }

    @Test
    void readerShouldRefuseALineLongerThanItsLimit() {
        ImapResponseReader reader = new ImapResponseReader(64, 1024);

        assertThatThrownBy(() -> reader.feed(ascii("* OK " + "x".repeat(100) + "\r\n")))
                .hasMessageContaining("longer than 64");
    }

    @Test
    void readerShouldRefuseALiteralLargerThanItsLimit() {
        ImapResponseReader reader = new ImapResponseReader(1024, 100);

        assertThatThrownBy(() -> reader.feed(ascii("* 1 FETCH (BODY[] {101}\r\n")))
                .hasMessageContaining("exceeds 100");
    }

    @Test
    void responseShouldTellItsKindNumberAndStatus() {
        ImapResponse exists = new ImapResponse("* 12 EXISTS", List.of());
        ImapResponse tagged = new ImapResponse("a7 no [TRYCREATE] no such mailbox", List.of());

        assertThat(exists.numberedKind()).isEqualTo("EXISTS");
        assertThat(exists.number()).isEqualTo(12);
        assertThat(new ImapResponse("* SEARCH 1 2", List.of()).numberedKind()).isEmpty();
        assertThat(tagged.taggedWith("a7")).isTrue();
        assertThat(tagged.taggedWith("a")).isFalse();
        assertThat(tagged.status()).isEqualTo("NO");
    }

    private static List<String> read(byte[] bytes, int chunk) {
        ImapResponseReader reader = new ImapResponseReader(1024, 1024);
        List<String> got = new ArrayList<>();
        for (int at = 0; at < bytes.length; at += chunk) {
            got.addAll(describe(reader.feed(ByteBuffer.wrap(bytes, at, Math.min(chunk, bytes.length - at)))));
        }
        return got;
    }

    private static List<String> describe(List<ImapResponse> responses) {
        List<String> out = new ArrayList<>();
        for (ImapResponse r : responses) {
            StringBuilder text = new StringBuilder(r.text());
            for (int i = 0; i < r.literals().size(); i++) {
                text.append(" | ").append(r.literalText(i));
            }
            out.add(text.toString());
        }
        return out;
    }

    private static ByteBuffer ascii(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }
}
