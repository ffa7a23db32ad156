package dev.hato.web.site;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A bound on every request body, around the whole site (below the exchange, so the form and multipart readers, the
 * CSRF check among them, read the bounded body): {@code compose} for the compose form (the largest message and a
 * little for its fields), {@code other} for everything else (forms of a few fields). A body that says it is longer
 * gets 413 at once; one that turns out longer is refused with 413 as it streams in, before the multipart reader has
 * stored more of it.
 */
record BodyLimit(long compose, long other, HttpHandler site) implements HttpHandler {

    static final long FIELDS = 1024 * 1024;

    static HttpHandler around(HttpHandler site, long maxMessageSize) {
        return new BodyLimit(maxMessageSize + FIELDS, FIELDS, site);
    }

    @Override
    public Mono<Void> handle(ServerHttpRequest request, ServerHttpResponse response) {
        long limit = request.getPath().value().startsWith("/mail/compose") ? compose : other;
        if (request.getHeaders().getContentLength() > limit) {
            response.setStatusCode(HttpStatus.PAYLOAD_TOO_LARGE);
            return response.setComplete();
        }
        ServerHttpRequest bounded = new ServerHttpRequestDecorator(request) {
            @Override
            public Flux<DataBuffer> getBody() {
                long[] seen = {0};
                return super.getBody().handle((buffer, sink) -> {
                    seen[0] += buffer.readableByteCount();
                    if (seen[0] > limit) {
                        DataBufferUtils.release(buffer);
                        sink.error(new ResponseStatusException(HttpStatus.PAYLOAD_TOO_LARGE));
                    } else {
                        sink.next(buffer);
                    }
                });
            }
        };
        return site.handle(bounded, response);
    }
}
