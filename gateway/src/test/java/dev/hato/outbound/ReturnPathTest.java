package dev.hato.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;

class ReturnPathTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "stored by hato     | Return-Path: <a@b.example>\\r\\nReceived: x\\r\\n\\r\\nbody | Received: x\\r\\n\\r\\nbody",
        "any case           | RETURN-PATH: <>\\r\\nSubject: s\\r\\n\\r\\nb              | Subject: s\\r\\n\\r\\nb",
        "folded             | Return-Path:\\r\\n <a@b>\\r\\nX: 1\\r\\n\\r\\n            | X: 1\\r\\n\\r\\n",
        "none               | Received: x\\r\\nReturn-Path: <a@b>\\r\\n\\r\\n            | Received: x\\r\\nReturn-Path: <a@b>\\r\\n\\r\\n",
        "only the field     | Return-Path: <a@b>\\r\\n                                 | Return-Path: <a@b>\\r\\n"})
    void theLeadingReturnPathFieldShouldBeDroppedAndNothingElse(String name, String stored, String sent) {
        String in = stored.trim().replace("\\r", "\r").replace("\\n", "\n");
        String want = sent.trim().replace("\\r", "\r").replace("\\n", "\n");
        ByteBuffer first = ByteBuffer.wrap(in.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer second = ByteBuffer.wrap("Return-Path: <in the second chunk>\r\n".getBytes(StandardCharsets.US_ASCII));

        String out = ReturnPath.stripped(Flux.just(first, second))
                .map(chunk -> StandardCharsets.US_ASCII.decode(chunk).toString())
                .reduce("", String::concat).block();

        assertThat(out).isEqualTo(want + "Return-Path: <in the second chunk>\r\n");
    }
}
