package dev.hato.store.queue;

import java.time.LocalDate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The counts behind the daily TLS reports (RFC 8460), shared by every node. */
public interface TlsSessions {

    /** Adds {@code session.sessions()} sessions of that kind to the counts of {@code day} (UTC). */
    Mono<Void> add(LocalDate day, TlsSession session);

    /** The policy domains with counts of a day before {@code before}, with that day; oldest first. */
    Flux<DomainDay> due(LocalDate before);

    /**
     * Removes the counts of one policy domain and day and emits them: exactly one node gets each row, so one report
     * is sent however many nodes look. A report that then cannot be sent is given back with {@link #add}.
     */
    Flux<TlsSession> take(LocalDate day, String policyDomain);

    /** A policy domain with counts for a day. */
    record DomainDay(LocalDate day, String policyDomain) { }
}
