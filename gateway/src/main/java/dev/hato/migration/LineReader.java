package dev.hato.migration;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a file's lines as octets, in segments of at most {@code max} octets, so that a line of any length (a base64
 * body without line breaks) costs no more memory than a segment. A line ends at LF; a CR right before the LF is not
 * part of its content, so LF and CRLF files read alike. Only {@link #lineStart()} segments can be an mbox "From "
 * line or a header field.
 */
final class LineReader {

    private final InputStream in;
    private final byte[] input = new byte[64 * 1024];
    private int position;
    private int limit;
    private final byte[] segment;
    private int length;
    private boolean ended;
    private boolean lineStart = true;
    private boolean nextStartsLine = true;

    LineReader(InputStream in, int max) {
        this.in = in;
        this.segment = new byte[max];
    }

    /** Reads the next segment; false at the end of the input. */
    boolean next() throws IOException {
        lineStart = nextStartsLine;
        length = 0;
        ended = false;
        while (true) {
            if (position == limit && !fill()) {
                nextStartsLine = false;
                return length > 0;
            }
            byte b = input[position++];
            if (b == '\n') {
                if (length > 0 && segment[length - 1] == '\r') {
                    length--;
                }
                ended = true;
                nextStartsLine = true;
                return true;
            }
            if (length == segment.length) {
                // b is kept for the next segment; being no LF, it leaves a CR that ends this one a bare CR
                position--;
                nextStartsLine = false;
                return true;
            }
            segment[length++] = b;
        }
    }

    private boolean fill() throws IOException {
        int read = in.read(input);
        if (read <= 0) {
            return false;
        }
        position = 0;
        limit = read;
        return true;
    }

    /** The segment's octets (valid until the next call of {@link #next()}). */
    byte[] bytes() {
        return segment;
    }

    int length() {
        return length;
    }

    /** Whether the segment ends its line (an LF followed it). */
    boolean ended() {
        return ended;
    }

    /** Whether the segment is the start of a line. */
    boolean lineStart() {
        return lineStart;
    }

    /** Whether the segment starts a line and its content begins with {@code prefix} (ASCII). */
    boolean startsWith(String prefix) {
        if (!lineStart || length < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (segment[i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
