package dev.hato.web.status;

import reactor.core.publisher.Mono;

/** Declared here, implemented by the gateway: the web module needs facts, not the gateway's types. */
public interface StatusSource {

    /** Everything operators see. */
    Mono<StatusReport> report();
}
