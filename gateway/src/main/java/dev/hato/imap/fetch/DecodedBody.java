package dev.hato.imap.fetch;

import dev.hato.message.TransferDecoder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A part's body with its transfer encoding undone (RFC 3516 BINARY), never held: it is decoded once to {@link
 * #measure} it, because the literal's size must be sent before its octets, and again, with a fresh decoder, to send
 * the {@link Window} asked for. Decoding twice costs CPU but keeps a large attachment out of memory.
 */
final class DecodedBody {

    private final FetchSegment.Range body;
    private final Supplier<@Nullable TransferDecoder> decoders;

    /** {@code decoders}: a fresh decoder for every pass, for the part's Content-Transfer-Encoding. */
    DecodedBody(FetchSegment.Range body, Supplier<@Nullable TransferDecoder> decoders) {
        this.body = body;
        this.decoders = decoders;
    }

    /** How many octets a decoded part has, and whether one is NUL (then it goes out as literal8). */
    record Measure(long size, boolean nul) {
    }

    Flux<ByteBuffer> decoded(FetchedBlob blob) {
        return Flux.defer(() -> {
            TransferDecoder decoder = Objects.requireNonNull(decoders.get(), "decoder");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            return body.emit(blob).map(chunk -> {
                byte[] octets = new byte[chunk.remaining()];
                chunk.duplicate().get(octets);
                out.reset();
                decoder.decode(octets, 0, octets.length, out);
                return ByteBuffer.wrap(out.toByteArray());
            }).concatWith(Mono.fromSupplier(() -> {
                out.reset();
                decoder.finish(out);
                return ByteBuffer.wrap(out.toByteArray());
            })).filter(ByteBuffer::hasRemaining);
        });
    }

    /** The first pass: how many octets the decoded part has, and whether one is NUL. */
    Mono<Measure> measure(FetchedBlob blob) {
        return decoded(blob).reduce(new Measure(0, false), (measure, chunk) -> {
            boolean nul = measure.nul();
            for (int i = chunk.position(); i < chunk.limit() && !nul; i++) {
                nul = chunk.get(i) == 0;
            }
            return new Measure(measure.size() + chunk.remaining(), nul);
        });
    }

    Window window(long start, long end) {
        return new Window(this, start, end);
    }

    /** The second pass: the decoded octets from {@code start} to {@code end}. */
    record Window(DecodedBody decoded, long start, long end) implements FetchSegment {
        @Override
        public Flux<ByteBuffer> emit(FetchedBlob blob) {
            return end <= start ? Flux.empty() : ByteRanges.slice(decoded.decoded(blob), start, end);
        }
    }
}
