package dev.hato.store.mail;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;

/** Message bytes held in memory for tests, replayed in chunks of {@code chunkSize} on every subscription. */
public final class TestContent implements MessageContent {

    private final byte[] bytes;
    private final byte[] sha256;
    private final int chunkSize;
    private final AtomicInteger subscriptions = new AtomicInteger();

    private TestContent(byte[] bytes, byte[] sha256, int chunkSize) {
        this.bytes = bytes;
        this.sha256 = sha256;
        this.chunkSize = chunkSize;
    }

    public static TestContent of(byte[] bytes) {
        return new TestContent(bytes, sha256(bytes), 8 * 1024);
    }

    public static TestContent of(String message) {
        return of(message.getBytes(StandardCharsets.UTF_8));
    }

    /** A unique small message, so that tests running against one database never share a blob by accident. */
    public static TestContent unique(String subject) {
        return of("Subject: " + subject + "\r\nMessage-ID: <" + ThreadLocalRandom.current().nextLong() + "@test>\r\n\r\n"
                + "Hello.\r\n");
    }

    /** {@code size} random bytes. */
    public static TestContent random(int size) {
        byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return of(bytes);
    }

    /** The same bytes with a different chunking. */
    public TestContent chunkedBy(int chunkSize) {
        return new TestContent(bytes, sha256, chunkSize);
    }

    /** Claims a SHA-256 that does not match the bytes. */
    public TestContent withWrongSha256() {
        byte[] wrong = sha256.clone();
        wrong[0] ^= 1;
        return new TestContent(bytes, wrong, chunkSize);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int subscriptions() {
        return subscriptions.get();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public Flux<ByteBuffer> chunks() {
        return Flux.defer(() -> {
            subscriptions.incrementAndGet();
            int count = (bytes.length + chunkSize - 1) / chunkSize;
            return Flux.range(0, count).map(i -> ByteBuffer.wrap(bytes, i * chunkSize,
                    Math.min(chunkSize, bytes.length - i * chunkSize)).slice().asReadOnlyBuffer());
        });
    }

    /** Bytes that fail part-way, like a spool file that cannot be read. */
    public static MessageContent failing(int size, RuntimeException error) {
        TestContent content = random(size);
        return new MessageContent() {
            @Override
            public byte[] sha256() {
                return content.sha256();
            }

            @Override
            public long size() {
                return content.size();
            }

            @Override
            public Flux<ByteBuffer> chunks() {
                return content.chunks().take(content.size() / content.chunkSize / 2 + 1).concatWith(Flux.error(error));
            }
        };
    }

    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] concat(Iterable<ByteBuffer> chunks) {
        var out = new java.io.ByteArrayOutputStream();
        for (ByteBuffer chunk : chunks) {
            ByteBuffer copy = chunk.duplicate();
            byte[] part = new byte[copy.remaining()];
            copy.get(part);
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
