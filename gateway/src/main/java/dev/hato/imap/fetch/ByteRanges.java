package dev.hato.imap.fetch;

import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;

/** Cutting a range out of a stream of chunks without holding more than the chunk at hand. */
final class ByteRanges {

    private ByteRanges() {
    }

    /**
     * The octets from {@code start} (inclusive) to {@code end} (exclusive) of {@code chunks}, as views of its
     * chunks; the source is cancelled once {@code end} is reached, so a range near the start reads little.
     */
    static Flux<ByteBuffer> slice(Flux<ByteBuffer> chunks, long start, long end) {
        if (end <= start) {
            return Flux.empty();
        }
        return Flux.defer(() -> {
            long[] position = {0};
            return chunks.<ByteBuffer>handle((chunk, sink) -> {
                long chunkStart = position[0];
                int length = chunk.remaining();
                position[0] += length;
                long from = Math.max(start, chunkStart);
                long to = Math.min(end, chunkStart + length);
                if (from < to) {
                    ByteBuffer slice = chunk.duplicate();
                    slice.limit(chunk.position() + (int) (to - chunkStart));
                    slice.position(chunk.position() + (int) (from - chunkStart));
                    sink.next(slice.slice());
                }
                if (position[0] >= end) {
                    sink.complete();
                }
            });
        });
    }
}
