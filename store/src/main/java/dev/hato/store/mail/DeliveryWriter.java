package dev.hato.store.mail;

import reactor.core.publisher.Mono;

/**
 * The delivery hot path. Concurrent deliveries are gathered for a few milliseconds (or up to a batch size) and
 * committed in one transaction; each returned Mono completes only after that commit, and errors if the
 * transaction failed (then nothing of that delivery is stored).
 */
public interface DeliveryWriter {
    Mono<DeliveryReceipt> deliver(Delivery delivery);
}
