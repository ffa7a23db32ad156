package dev.hato.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HeaderSectionEndTest {

    /** Each message, the offset of its body (-1: no empty line) and the empty line's length, in any chunking. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Subject: a\\r\\n\\r\\nbody|14|2",
        "Subject: a\\n\\nbody|12|1",
        "Subject: a\\r\\n\\nbody|13|1",
        "Subject: a\\n\\r\\nbody|13|2",
        "\\r\\nbody|2|2",
        "\\nbody|1|1",
        "Subject: a\\r\\n folded\\r\\n\\r\\n|23|2",
        "Subject: a\\r\\r\\nX: b\\r\\n\\r\\n|21|2",
        "Subject: a\\r\\n\\r\\r\\nstill header\\r\\n\\r\\nbody|31|2",
        "Subject: a\\r\\n|-1|0",
        "Subject: a\\r\\n\\r|-1|0",
        "''|-1|0",
    })
    void shouldFindTheEmptyLineInAnyChunking(String escaped, long bodyStart, int separator) {
        byte[] message = escaped.replace("\\r", "\r").replace("\\n", "\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int split = 0; split <= message.length; split++) {
            assertScan(message, new int[] {split}, bodyStart, separator);
        }
        int[] everyOctet = new int[message.length];
        for (int i = 0; i < message.length; i++) {
            everyOctet[i] = i;
        }
        assertScan(message, everyOctet, bodyStart, separator);
    }

    private static void assertScan(byte[] message, int[] splits, long bodyStart, int separator) {
        HeaderSectionEnd bytes = new HeaderSectionEnd();
        HeaderSectionEnd buffers = new HeaderSectionEnd();
        long foundInBytes = -1;
        long foundInBuffers = -1;
        int from = 0;
        for (int s = 0; s <= splits.length; s++) {
            int to = s < splits.length ? splits[s] : message.length;
            if (to < from) {
                continue;
            }
            int index = bytes.scan(message, from, to - from);
            if (index != HeaderSectionEnd.NOT_FOUND) {
                foundInBytes = index;
            }
            ByteBuffer chunk = ByteBuffer.wrap(message, from, to - from).slice();
            int inChunk = buffers.scan(chunk);
            if (inChunk != HeaderSectionEnd.NOT_FOUND) {
                foundInBuffers = from + inChunk;
            }
            assertThat(chunk.position()).isZero();
            from = to;
        }
        assertThat(foundInBytes).isEqualTo(bodyStart);
        assertThat(foundInBuffers).isEqualTo(bodyStart);
        for (HeaderSectionEnd end : new HeaderSectionEnd[] {bytes, buffers}) {
            assertThat(end.ended()).isEqualTo(bodyStart >= 0);
            assertThat(end.bodyStart()).isEqualTo(bodyStart);
            assertThat(end.separatorLength()).isEqualTo(separator);
            assertThat(end.position()).isEqualTo(message.length);
        }
    }
}
