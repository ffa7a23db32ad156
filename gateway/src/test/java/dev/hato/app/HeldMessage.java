package dev.hato.app;

import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import reactor.core.publisher.Flux;

/** A small message held in memory, for tests that store messages without going through a protocol. */
public record HeldMessage(byte[] bytes) implements MessageContent {

    /** A message no other test stores (its Message-ID holds a fresh counter), with this subject. */
    public static HeldMessage unique(String subject) {
        return new HeldMessage(("Subject: " + subject + "\r\nMessage-ID: <" + System.nanoTime() + "@" + subject
                .replace(' ', '-') + ".test>\r\n\r\nHi.\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Facts with nothing in them: what a test that does not FETCH or SEARCH stores with a message. */
    public static MessageFacts noFacts() {
        return new MessageFacts(new byte[0], "", "", new MessageFacts.SortFields("", "", "", "", null, null,
                List.of(), null, null));
    }

    @Override
    public byte[] sha256() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public Flux<ByteBuffer> chunks() {
        return Flux.defer(() -> Flux.just(ByteBuffer.wrap(bytes)));
    }
}
