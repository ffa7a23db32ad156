package dev.hato.bench.load;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Cuts a server's byte stream into {@link ImapResponse}s, as they arrive in any fragmentation: lines end with CRLF,
 * and a line ending in {@code {n}} is followed by n octets of literal, after which the same response continues
 * (RFC 3501 §4.3, §7). A push parser with plain state, one per connection; limits on line and literal length keep a
 * misbehaving server from growing the client without bound.
 */
final class ImapResponseReader {

    /** RFC 3501 §4.3 literal prefix at the end of a line; "{n+}" (RFC 7888) is a client form, tolerated here. */
    private static final Pattern LITERAL = Pattern.compile("\\{(\\d{1,10})\\+?}$");

    private final int maxLine;
    private final int maxLiteral;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder text = new StringBuilder();
    private final List<byte[]> literals = new ArrayList<>();
    private byte @Nullable [] literal;
    private int literalFilled;

    ImapResponseReader(int maxLine, int maxLiteral) {
        if (maxLine < 64 || maxLiteral < 0) {
            throw new IllegalArgumentException("maxLine must be at least 64 and maxLiteral not negative");
        }
        this.maxLine = maxLine;
        this.maxLiteral = maxLiteral;
    }

    /** Consumes all of {@code in} and returns the responses it completed, in order. */
    List<ImapResponse> feed(ByteBuffer in) {
        List<ImapResponse> done = new ArrayList<>(2);
        while (in.hasRemaining()) {
            byte[] open = literal;
            if (open != null) {
                int n = Math.min(in.remaining(), open.length - literalFilled);
                in.get(open, literalFilled, n);
                literalFilled += n;
                if (literalFilled == open.length) {
                    literals.add(open);
                    literal = null;
                }
                continue;
            }
            // Up to the next LF in one bulk copy (responses are mostly long FETCH lines and literals).
            int start = in.position();
            int lf = -1;
            for (int i = start; i < in.limit(); i++) {
                if (in.get(i) == '\n') {
                    lf = i;
                    break;
                }
            }
            int end = lf < 0 ? in.limit() : lf;
            if (line.size() + (end - start) > maxLine) {
                throw new IllegalStateException("response line longer than " + maxLine + " octets");
            }
            byte[] chunk = new byte[end - start];
            in.get(chunk);
            line.writeBytes(chunk);
            if (lf < 0) {
                continue;
            }
            in.get();  // the LF
            byte[] bytes = line.toByteArray();
            line.reset();
            int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
            String part = new String(bytes, 0, length, StandardCharsets.UTF_8);
            text.append(part);
            Matcher m = LITERAL.matcher(part);
            if (m.find()) {
                long size = Long.parseLong(m.group(1));
                if (size > maxLiteral) {
                    throw new IllegalStateException("literal of " + size + " octets exceeds " + maxLiteral);
                }
                literal = new byte[(int) size];
                literalFilled = 0;
                if (size == 0) {
                    literals.add(literal);
                    literal = null;
                }
                continue;
            }
            done.add(new ImapResponse(text.toString(), literals));
            text.setLength(0);
            literals.clear();
        }
        return done;
    }
}
