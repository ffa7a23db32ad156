package dev.hato.delivery;

import dev.hato.store.mail.MessageContent;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import reactor.core.publisher.Mono;

/**
 * The first octets of a message, as a Sieve evaluation reads them: its header section, or, when a script tests the
 * body, as much of the message as {@code limit} allows. Read from the spool chunk by chunk, stopping as soon as
 * enough is read, so a large message is never held whole.
 */
final class MessageHead {

    private MessageHead() { }

    /**
     * Up to {@code limit} octets from the start of {@code content}; with {@code headerOnly}, reading stops after the
     * chunk in which the header section ends.
     */
    static Mono<byte[]> read(MessageContent content, int limit, boolean headerOnly) {
        return Mono.defer(() -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return content.chunks()
                    .takeUntil(chunk -> {
                        ByteBuffer view = chunk.duplicate();
                        int take = Math.min(view.remaining(), limit - out.size());
                        byte[] octets = new byte[take];
                        view.get(octets);
                        out.write(octets, 0, take);
                        return out.size() >= limit || headerOnly && headerEnded(out);
                    })
                    .then(Mono.fromSupplier(out::toByteArray));
        });
    }

    /** Whether the octets read hold the empty line that ends the header section (CRLF CRLF, or LF LF). */
    private static boolean headerEnded(ByteArrayOutputStream out) {
        byte[] octets = out.toByteArray();
        for (int i = 0; i + 1 < octets.length; i++) {
            if (octets[i] == '\n' && (octets[i + 1] == '\n'
                    || octets[i + 1] == '\r' && i + 2 < octets.length && octets[i + 2] == '\n')) {
                return true;
            }
        }
        return false;
    }
}
