package dev.hato.web.mail;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.store.mail.Mailboxes;
import dev.hato.web.login.WebUser;
import dev.hato.web.page.PageModel;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code GET /mail/events}: server-sent events telling an open webmail page which of the person's folders changed
 * (a message arrived, was read, moved or deleted, by any client), fed by the store's change feed, the same
 * PostgreSQL NOTIFY that wakes IMAP IDLE. Each event ({@code change}) names the folder IDs that changed in the last
 * {@link #COALESCE}, or {@code all} when changes may have been missed; the page then reloads what shows them. A
 * comment every {@link #HEARTBEAT} keeps proxies from closing the stream; each stream ends after {@link #LIFETIME}
 * (the browser's EventSource reconnects), and one person may hold at most {@link #MAX_STREAMS} at once.
 */
public final class LiveRoutes {

    static final Duration COALESCE = Duration.ofMillis(300);
    static final Duration HEARTBEAT = Duration.ofSeconds(25);
    static final Duration LIFETIME = Duration.ofMinutes(10);
    static final int MAX_STREAMS = 8;

    private final Mailboxes mailboxes;
    private final Map<Long, AtomicInteger> streams = new ConcurrentHashMap<>();

    public LiveRoutes(Mailboxes mailboxes) {
        this.mailboxes = mailboxes;
    }

    public RouterFunction<ServerResponse> routes() {
        return route().GET("/mail/events", this::events).build();
    }

    private Mono<ServerResponse> events(ServerRequest request) {
        return PageModel.user(request)
                .flatMap(user -> mailboxes.list(user.accountId()).map(info -> info.id()).collect(Collectors.toSet())
                        .flatMap(owned -> stream(user, owned)))
                .switchIfEmpty(Mono.defer(() -> ServerResponse.status(HttpStatus.UNAUTHORIZED).build()));
    }

    private Mono<ServerResponse> stream(WebUser user, Set<Long> owned) {
        AtomicInteger open = streams.computeIfAbsent(user.accountId(), id -> new AtomicInteger());
        if (open.incrementAndGet() > MAX_STREAMS) {
            release(user.accountId(), open);
            return ServerResponse.status(HttpStatus.TOO_MANY_REQUESTS).build();
        }
        Flux<ServerSentEvent<String>> changes = mailboxes.events()
                .skip(1) // the feed's first "anything": the page was just rendered
                .filter(event -> event.mailboxId() == Mailboxes.MailboxEvent.ANY_MAILBOX
                        || owned.contains(event.mailboxId()))
                .bufferTimeout(256, COALESCE)
                .filter(batch -> !batch.isEmpty())
                .map(batch -> {
                    boolean all = batch.stream().anyMatch(e -> e.mailboxId() == Mailboxes.MailboxEvent.ANY_MAILBOX);
                    String data = all ? "all" : batch.stream().map(e -> String.valueOf(e.mailboxId()))
                            .collect(Collectors.toCollection(TreeSet::new)).stream().collect(Collectors.joining(" "));
                    return ServerSentEvent.builder(data).event("change").build();
                });
        Flux<ServerSentEvent<String>> heartbeat = Flux.interval(HEARTBEAT)
                .map(tick -> ServerSentEvent.<String>builder().comment("").build());
        // Sent at once, so the response starts now (the browser's EventSource opens) and reconnects wait 5 s.
        Flux<ServerSentEvent<String>> hello = Flux.just(ServerSentEvent.<String>builder().comment("live")
                .retry(Duration.ofSeconds(5)).build());
        Flux<ServerSentEvent<String>> body = Flux.concat(hello, Flux.merge(changes, heartbeat))
                .take(LIFETIME)
                .doFinally(signal -> release(user.accountId(), open));
        return ServerResponse.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                .header("Cache-Control", "no-store")
                .header("X-Accel-Buffering", "no")
                .body(body, ServerSentEvent.class);
    }

    private void release(long accountId, AtomicInteger open) {
        if (open.decrementAndGet() <= 0) {
            streams.remove(accountId, open);
        }
    }
}
