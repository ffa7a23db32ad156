package dev.hato.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Lines read in segments: whatever the segment size and however the input arrives (one octet per read, or all at
 * once), the segments put together with CRLF after each ended line give the input with CRLF line ends, and the
 * line starts are the same.
 */
class LineReaderTest {

    private static final List<String[]> CASES = List.of(
            new String[] {"", ""},
            new String[] {"a\n", "a\r\n"},
            new String[] {"a\r\nb\n", "a\r\nb\r\n"},
            new String[] {"no newline at the end", "no newline at the end"},
            new String[] {"\n\n\n", "\r\n\r\n\r\n"},
            new String[] {"bare\rcr\n", "bare\rcr\r\n"},
            new String[] {"cr at end\r", "cr at end\r"},
            new String[] {"\r\n\r\nFrom x\r\n", "\r\n\r\nFrom x\r\n"},
            new String[] {"long line with CR LF\r\nshort\nx", "long line with CR LF\r\nshort\r\nx"});

    @Test
    void segmentsShouldGiveTheInputWithCrlfWhateverTheirSizeAndTheReadsSize() throws IOException {
        for (String[] c : CASES) {
            byte[] input = c[0].getBytes(StandardCharsets.UTF_8);
            List<Integer> expectedStarts = null;
            for (int max = 1; max <= input.length + 2; max++) {
                for (int read : new int[] {1, 2, 3, 7, Integer.MAX_VALUE}) {
                    Read result = read(new Trickle(input, read), max);
                    assertThat(result.text()).as("%s, segments of %d, reads of %d", c[0], max, read).isEqualTo(c[1]);
                    if (expectedStarts == null) {
                        expectedStarts = result.starts();
                    }
                    assertThat(result.starts()).as("line starts of %s, segments of %d", c[0], max)
                            .isEqualTo(expectedStarts);
                }
            }
        }
    }

    @Test
    void startsWithShouldOnlyMatchTheStartOfALine() throws IOException {
        LineReader lines = new LineReader(new ByteArrayInputStream("From a\nxFrom \n".getBytes(StandardCharsets.US_ASCII)),
                3);
        List<Boolean> matches = new ArrayList<>();
        while (lines.next()) {
            matches.add(lines.startsWith("Fr"));
        }
        assertThat(matches).containsExactly(true, false, false, false);
    }

    private record Read(String text, List<Integer> starts) { }

    /** The text put back together, and the output offsets at which lines start. */
    private static Read read(InputStream in, int max) throws IOException {
        LineReader lines = new LineReader(in, max);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> starts = new ArrayList<>();
        while (lines.next()) {
            if (lines.lineStart()) {
                starts.add(out.size());
            }
            assertThat(lines.length()).isLessThanOrEqualTo(max);
            out.write(lines.bytes(), 0, lines.length());
            if (lines.ended()) {
                out.write('\r');
                out.write('\n');
            }
        }
        return new Read(out.toString(StandardCharsets.UTF_8), starts);
    }

    /** An input that gives at most {@code most} octets per read. */
    private static final class Trickle extends InputStream {
        private final byte[] bytes;
        private final int most;
        private int at;

        Trickle(byte[] bytes, int most) {
            this.bytes = bytes;
            this.most = most;
        }

        @Override
        public int read() {
            return at < bytes.length ? bytes[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (at >= bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(length, most), bytes.length - at);
            System.arraycopy(bytes, at, buffer, offset, n);
            at += n;
            return n;
        }
    }
}
