package dev.hato.web.status;

import reactor.core.publisher.Mono;

/** Declared here, implemented by the gateway: the web module needs facts, not the gateway's types. */
public interface StatusSource {

    /** Everything operators see. */
    Mono<StatusReport> report();

    /**
     * Completes when the gateway can serve (its store answers), errors when not; what the public health check asks,
     * so it should be cheap. By default the whole report.
     */
    default Mono<Void> alive() {
        return report().then();
    }
}
