package dev.hato.dkim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/** Messages and ways of streaming them for the signer tests. */
final class TestMessages {

    private TestMessages() {
    }

    static byte[] crlf(String... lines) {
        return (String.join("\r\n", lines)).getBytes(StandardCharsets.UTF_8);
    }

    /** The message in chunks of the given sizes, cycling through them; each chunk its own buffer. */
    static Flux<ByteBuffer> chunks(byte[] message, int... sizes) {
        List<ByteBuffer> chunks = new ArrayList<>();
        int at = 0;
        for (int i = 0; at < message.length; i++) {
            int size = Math.min(sizes[i % sizes.length], message.length - at);
            // A slice of a larger array, positioned past a prefix: the signer must honour position and limit.
            byte[] padded = new byte[size + 3];
            System.arraycopy(message, at, padded, 2, size);
            chunks.add(ByteBuffer.wrap(padded, 2, size));
            at += size;
        }
        return Flux.fromIterable(chunks);
    }

    static Flux<ByteBuffer> whole(byte[] message) {
        return Flux.just(ByteBuffer.wrap(message));
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] all = new byte[first.length + second.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }
}
