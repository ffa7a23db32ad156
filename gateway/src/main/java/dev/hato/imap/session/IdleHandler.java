package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * RFC 2177 IDLE: the continuation, what is pending, then the selected mailbox's changes pushed as they happen
 * ({@link ImapSession#unsolicited()}), until the client's DONE.
 */
final class IdleHandler {

    private static final Logger LOG = LoggerFactory.getLogger(IdleHandler.class);

    private final ImapSession session;
    private final Sinks.Many<Boolean> wake = Sinks.many().unicast().onBackpressureBuffer();
    /** The tag of the IDLE command running, or null. */
    private volatile @Nullable String idleTag;
    /** Completes when the IDLE push running (if any) is over; DONE waits for it. */
    private volatile Mono<Void> idlePush = Mono.empty();

    IdleHandler(ImapSession session) {
        this.session = session;
    }

    /** The tag of the IDLE command running, or null. */
    @Nullable String tag() {
        return idleTag;
    }

    /** The pushes of every IDLE of the connection, one after the other. */
    Flux<Action> pushes() {
        return wake.asFlux().concatMap(ignored -> {
            Sinks.Empty<Void> done = Sinks.empty();
            idlePush = done.asMono();
            if (idleTag == null || session.selected() == null) {
                done.tryEmitEmpty();
                return Flux.<Action>empty();
            }
            // Woken by an event (nothing of this session's own is pending while it idles): the read may be shared.
            ImapUpdates updates = session.updates();
            return updates.refresh(true).thenMany(Flux.defer(() -> updates.untagged(true)))
                    .onErrorResume(failure -> {
                        LOG.warn("IMAP IDLE refresh failed: {}", failure.toString());
                        return Flux.empty();
                    })
                    .doFinally(signal -> done.tryEmitEmpty());
        });
    }

    /** An event changed the selected mailbox: pushed at once while idling. */
    void wake() {
        if (idleTag != null) {
            wake.emitNext(Boolean.TRUE, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
        }
    }

    Flux<Action> start(ImapCommand.Idle command) {
        String tag = command.tag();
        ImapUpdates updates = session.updates();
        SelectedMailbox mailbox = session.selected();
        Flux<Action> pending = mailbox == null ? Flux.empty()
                : updates.refresh(false).onErrorResume(failure -> Mono.empty())
                        .thenMany(Flux.defer(() -> updates.untagged(true)));
        // RFC 2177 §3: the continuation first, then whatever is pending, then updates as they happen. pushes start
        // only after the first refresh, so two never touch the snapshot at once; what arrived meanwhile is pushed.
        Mono<Action> start = Mono.fromRunnable(() -> {
            idleTag = tag;
            if (updates.stale()) {
                wake.emitNext(Boolean.TRUE, Sinks.EmitFailureHandler.busyLooping(Duration.ofMillis(100)));
            }
        });
        return Flux.concat(ImapSession.line("+ idling"), pending, start);
    }

    Flux<Action> end(String tag, String line) {
        idleTag = null;
        Mono<Void> running = idlePush;
        if (!line.equalsIgnoreCase("DONE")) {
            return running.thenMany(session.bad(tag, "Expected DONE to end IDLE"));
        }
        return running.thenMany(session.done(tag, "OK IDLE terminated", true, session.selected() != null));
    }

    /** The connection is gone: no more pushes. */
    void closed() {
        wake.tryEmitComplete();
    }
}
