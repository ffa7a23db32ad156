package dev.hato.store.pg;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Cutting message bytes into the stored chunk size, and checking them against what the sender declared. */
final class Chunks {

    /** Largest {@code blob_chunk.data}; the schema's CHECK constraint says the same. */
    static final int SIZE = 256 * 1024;

    private Chunks() {
    }

    /**
     * Re-cuts {@code source} into full chunks of {@code chunkSize} bytes and a shorter last one. Incoming buffers
     * are read through duplicates, because {@link dev.hato.store.mail.MessageContent#chunks()} may replay the same
     * buffer instances to a later subscriber. Upstream is requested one buffer at a time, so what is held is the
     * chunk being filled plus the chunk the subscriber is writing.
     */
    static Flux<ByteBuffer> rechunk(Flux<ByteBuffer> source, int chunkSize) {
        return Flux.defer(() -> {
            var filling = new Object() {
                ByteBuffer chunk = ByteBuffer.allocate(chunkSize);
            };
            return source.concatMapIterable(incoming -> {
                ByteBuffer in = incoming.duplicate();
                List<ByteBuffer> full = new ArrayList<>(1);
                while (in.hasRemaining()) {
                    int n = Math.min(in.remaining(), filling.chunk.remaining());
                    filling.chunk.put(in.slice(in.position(), n));
                    in.position(in.position() + n);
                    if (!filling.chunk.hasRemaining()) {
                        full.add(filling.chunk.flip());
                        filling.chunk = ByteBuffer.allocate(chunkSize);
                    }
                }
                return full;
            }, 1).concatWith(Mono.fromSupplier(() -> filling.chunk.position() == 0 ? null : filling.chunk.flip()));
        });
    }

    /**
     * Running check that bytes match the size and SHA-256 their {@link dev.hato.store.mail.MessageContent} declared.
     * A mismatch is a bug upstream; stored under the wrong hash, the bytes would be served to every later message
     * that really has that hash, in any account.
     */
    static final class Verifier {
        private final byte[] expectedSha256;
        private final long expectedSize;
        private final MessageDigest digest = sha256();
        private long size;

        Verifier(byte[] expectedSha256, long expectedSize) {
            this.expectedSha256 = expectedSha256.clone();
            this.expectedSize = expectedSize;
        }

        void update(ByteBuffer bytes) {
            size += bytes.remaining();
            if (size > expectedSize) {
                throw new IllegalArgumentException("message content is longer than its declared size " + expectedSize);
            }
            digest.update(bytes.duplicate());
        }

        void verify() {
            if (size != expectedSize) {
                throw new IllegalArgumentException("message content has " + size + " bytes, declared " + expectedSize);
            }
            if (!MessageDigest.isEqual(digest.digest(), expectedSha256)) {
                throw new IllegalArgumentException("message content does not match its declared SHA-256");
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
