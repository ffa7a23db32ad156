package dev.hato.store.mail;

import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;

/**
 * Message bytes ready to be stored: their SHA-256 and size are known up front (computed while the bytes were
 * received), and {@link #chunks()} can be subscribed to more than once, each time replaying the bytes in order in
 * chunks of bounded size, so the store never needs the whole message in memory.
 */
public interface MessageContent {
    byte[] sha256();

    long size();

    Flux<ByteBuffer> chunks();
}
