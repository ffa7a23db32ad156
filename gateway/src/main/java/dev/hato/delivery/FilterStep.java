package dev.hato.delivery;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Per-recipient filtering: the place in the pipeline where an account's own rules (Sieve, vacation) will decide
 * what becomes of its copy. No filters exist yet, so every account keeps its copy; this step does nothing else
 * and must not grow behaviour of its own before filters do.
 */
public final class FilterStep {

    /** The accounts among {@code accounts} that get {@code message} in their INBOX, in the same order. */
    public Mono<List<Long>> filter(InboundMessage message, List<Long> accounts) {
        return Mono.just(List.copyOf(accounts));
    }
}
