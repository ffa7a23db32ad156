package dev.hato.web.mail;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import dev.hato.web.login.WebUser;
import dev.hato.web.page.PageModel;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /mail}: the INBOX of the person logged in, newest first, {@link #PAGE} messages a page
 * ({@code ?before=<uid>} for older ones), with the mailbox's message and unread counts, read through the store's
 * {@link Mailboxes} as IMAP reads it. The full mail interface (folders, reading, compose) comes later.
 *
 * <p>A page reads the mailbox's message rows in UID order and keeps the last {@link #PAGE} below {@code before}: one
 * streamed query, memory bounded by the page, but time linear in the mailbox's size until the store has a ranged
 * listing.
 */
public final class InboxRoutes {

    static final int PAGE = 50;

    private final Mailboxes mailboxes;
    private final Blobs blobs;

    public InboxRoutes(Mailboxes mailboxes, Blobs blobs) {
        this.mailboxes = mailboxes;
        this.blobs = blobs;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/mail", request -> inbox(request, "inbox"))
                // The next rows only, for the page's "older messages" button (htmx); the link works without it.
                .GET("/mail/rows", request -> inbox(request, "inbox :: rows"))
                .build();
    }

    private Mono<ServerResponse> inbox(ServerRequest request, String view) {
        long before = request.queryParam("before").map(InboxRoutes::uid).orElse(Long.MAX_VALUE);
        return PageModel.of(request).flatMap(model -> {
            WebUser user = (WebUser) model.get("user");
            if (user == null) {
                return ServerResponse.status(401).build();
            }
            return mailboxes.find(user.accountId(), "INBOX")
                    .flatMap(inbox -> page(user, inbox, before, model))
                    .switchIfEmpty(Mono.defer(() -> {
                        model.put("messages", 0L);
                        model.put("unseen", 0L);
                        model.put("headlines", List.of());
                        return Mono.just(model);
                    }))
                    .flatMap(filled -> ServerResponse.ok().render(view, filled));
        });
    }

    private Mono<Map<String, Object>> page(WebUser user, MailboxInfo inbox, long before, Map<String, Object> model) {
        return mailboxes.status(user.accountId(), inbox.id()).flatMap(status -> mailboxes
                .messages(user.accountId(), inbox.id())
                .filter(message -> message.uid() < before)
                .takeLast(PAGE + 1)
                .collectList()
                .flatMap(rows -> {
                    boolean older = rows.size() > PAGE;
                    List<MessageMeta> shown = older ? rows.subList(1, rows.size()) : rows;
                    return headlines(shown).map(headlines -> {
                        model.put("messages", status.messages());
                        model.put("unseen", status.unseen());
                        model.put("headlines", headlines);
                        if (older) {
                            model.put("olderBefore", shown.get(0).uid());
                        }
                        if (before != Long.MAX_VALUE) {
                            model.put("paged", true);
                        }
                        return model;
                    });
                }));
    }

    private Mono<List<Headline>> headlines(List<MessageMeta> rows) {
        if (rows.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<Long, Integer> lengths = new HashMap<>();
        for (MessageMeta row : rows) {
            lengths.put(row.blobId(), (int) Math.max(1, Math.min(row.size(), Headline.HEAD)));
        }
        return blobs.heads(lengths).map(heads -> rows.stream()
                .sorted(Comparator.comparingLong(MessageMeta::uid).reversed())
                .map(row -> Headline.of(row.uid(), heads.get(row.blobId()), row.internalDate(), row.size(),
                        row.flags().contains("\\Seen"), row.flags().contains("\\Flagged")))
                .toList());
    }

    private static long uid(String text) {
        try {
            long uid = Long.parseLong(text);
            return uid > 0 ? uid : Long.MAX_VALUE;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
