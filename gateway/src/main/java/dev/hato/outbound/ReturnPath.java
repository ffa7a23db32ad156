package dev.hato.outbound;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import reactor.core.publisher.Flux;

/**
 * RFC 5321 §4.4: the {@code Return-Path} field is added at final delivery, and a message that leaves again must not
 * carry one. Hato stores every message with the one its SMTP session prepended (the first line of the stored
 * bytes), so the outbound side drops it on the way out; the envelope's MAIL FROM says the same.
 */
final class ReturnPath {

    private static final byte[] NAME = "return-path:".getBytes(StandardCharsets.US_ASCII);

    private ReturnPath() {
    }

    /** The stored message without its leading {@code Return-Path} field (which is in its first chunk). */
    static Flux<ByteBuffer> stripped(Flux<ByteBuffer> stored) {
        return stored.index().map(chunk -> chunk.getT1() == 0 ? strip(chunk.getT2()) : chunk.getT2());
    }

    static ByteBuffer strip(ByteBuffer first) {
        int start = first.position();
        if (first.remaining() < NAME.length) {
            return first;
        }
        for (int k = 0; k < NAME.length; k++) {
            int c = first.get(start + k);
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != NAME[k]) {
                return first;
            }
        }
        // The field ends at the first CRLF not followed by folding white space.
        for (int i = start + NAME.length; i + 2 < first.limit(); i++) {
            if (first.get(i) == '\r' && first.get(i + 1) == '\n' && first.get(i + 2) != ' ' && first.get(i + 2) != '\t') {
                ByteBuffer rest = first.duplicate();
                rest.position(i + 2);
                return rest.slice();
            }
        }
        return first;
    }
}
