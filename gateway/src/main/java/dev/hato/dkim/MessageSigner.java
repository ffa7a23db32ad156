package dev.hato.dkim;

import java.nio.ByteBuffer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Signs a message on its way out (RFC 6376 DKIM). The outbound side calls it once per message and domain, before
 * the transfer, and sends the returned header fields in front of the message.
 */
public interface MessageSigner {

    /**
     * The header fields to prepend (each ending in CRLF, e.g. one {@code DKIM-Signature:} field), or an empty array
     * when {@code signingDomain} has no key. {@code message} is the complete message (header and body, CRLF line
     * endings) as it will be sent; it is read once, as a stream, never held whole in memory.
     */
    Mono<byte[]> sign(String signingDomain, Flux<ByteBuffer> message);

    /** Signs nothing. */
    MessageSigner NONE = (domain, message) -> message.then(Mono.just(new byte[0]));
}
