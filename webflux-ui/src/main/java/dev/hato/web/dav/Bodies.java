package dev.hato.web.dav;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Mono;

/** A request body read whole, up to a bound: empty when there is none, {@link DavResponses.BodyTooLarge} past it. */
final class Bodies {

    private Bodies() { }

    static Mono<byte[]> read(ServerRequest request, int max) {
        return DataBufferUtils.join(request.exchange().getRequest().getBody(), max)
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    return bytes;
                })
                .onErrorMap(DataBufferLimitException.class, e -> new DavResponses.BodyTooLarge())
                .defaultIfEmpty(new byte[0]);
    }
}
