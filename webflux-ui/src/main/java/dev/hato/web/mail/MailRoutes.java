package dev.hato.web.mail;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.message.SearchText;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.mail.MessageSearch;
import dev.hato.web.login.WebUser;
import dev.hato.web.page.PageModel;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The message list of a folder, with the folder tree beside it, and the actions on messages: mark read, unread,
 * flagged, move, copy, delete (to Trash; in Trash, for good). Every folder is looked up among the logged-in
 * person's own, so an ID from someone else's account is simply not found (404).
 *
 * <p>{@code GET /mail} is the INBOX; {@code GET /mail/folder/{id}} any folder, {@link #PAGE} messages a page, newest
 * first, {@code ?before=<uid>} for older ones ({@code …/rows} returns only the rows, for htmx); {@code POST
 * /mail/folder/{id}/act} with {@code action} and one or more {@code uid}.
 */
public final class MailRoutes {

    static final int PAGE = 50;

    /** The longest search text taken. */
    static final int MAX_QUERY = 200;
    /** The largest folder whose conversation view follows new mail live. */
    static final int LIVE_THREADS = 10_000;
    /** The deepest page of a sorted list (it keeps this many pages in memory while it reads the folder). */
    static final int MAX_PAGE = 200;

    private final Mailboxes mailboxes;
    private final Blobs blobs;
    private final MessageSearch search;
    private final Threads threads = new Threads();

    public MailRoutes(Mailboxes mailboxes, Blobs blobs, MessageSearch search) {
        this.mailboxes = mailboxes;
        this.blobs = blobs;
        this.search = search;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/mail", request -> list(request, null, "mailbox"))
                .GET("/mail/rows", request -> list(request, null, "mailbox :: rows"))
                .GET("/mail/folder/{id}", request -> list(request, id(request), "mailbox"))
                .GET("/mail/folder/{id}/rows", request -> list(request, id(request), "mailbox :: rows"))
                .POST("/mail/folder/{id}/act", this::act)
                .build();
    }

    public static long id(ServerRequest request) {
        return number(request.pathVariable("id"));
    }

    /** A positive number from a path or form, else 404. */
    public static long number(String text) {
        try {
            long value = Long.parseLong(text);
            if (value > 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    }

    /** The logged-in person, the common model and every folder of theirs, with the one asked for. */
    public record Context(WebUser user, Map<String, Object> model, List<Folder> folders, Folder folder) { }

    /** The context of a page about folder {@code id} (null: the INBOX); 404 when it is not the person's. */
    public static Mono<Context> context(ServerRequest request, Mailboxes mailboxes,
                                        @org.jspecify.annotations.Nullable Long id) {
        return PageModel.of(request).flatMap(model -> {
            WebUser user = (WebUser) model.get("user");
            if (user == null) {
                return Mono.error(new ResponseStatusException(HttpStatus.UNAUTHORIZED));
            }
            return Folder.all(mailboxes, user.accountId()).flatMap(folders -> Mono.justOrEmpty(folders.stream()
                            .filter(folder -> id == null ? folder.inbox() : folder.id() == id).findFirst())
                    // An account whose INBOX is not made yet (IMAP makes it on first use) has an empty one.
                    .switchIfEmpty(Mono.defer(() -> id == null ? Mono.just(Folder.EMPTY_INBOX)
                            : Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND))))
                    .map(folder -> {
                        model.put("folders", folders);
                        model.put("folder", folder);
                        model.put("others", folders.stream().filter(other -> other.id() != folder.id()).toList());
                        return new Context(user, model, folders, folder);
                    }));
        });
    }

    private Mono<ServerResponse> list(ServerRequest request, @org.jspecify.annotations.Nullable Long id, String view) {
        long before = request.queryParam("before").map(MailRoutes::uidOrMax).orElse(Long.MAX_VALUE);
        String query = request.queryParam("q").map(String::strip).filter(q -> !q.isEmpty())
                .map(q -> q.length() > MAX_QUERY ? q.substring(0, MAX_QUERY) : q).orElse(null);
        Sorting sorting = query != null ? Sorting.NEWEST_FIRST
                : Sorting.of(request.queryParam("sort"), request.queryParam("order"));
        int page = request.queryParam("page").map(MailRoutes::uidOrMax).filter(n -> n <= MAX_PAGE)
                .map(Long::intValue).orElse(1);
        return context(request, mailboxes, id).flatMap(context -> listing(context, sorting, before, query, page)
                .flatMap(listing -> {
                    List<MessageMeta> rows = listing.rows();
                    boolean older = rows.size() > PAGE;
                    List<MessageMeta> shown = older ? rows.subList(0, PAGE) : rows;
                    return headlines(shown).map(headlines -> {
                        Map<String, Object> model = context.model();
                        String base = base(context.folder());
                        model.put("headlines", headlines);
                        model.put("depths", listing.depths());
                        model.put("conversations", listing.conversations());
                        if (listing.unthreaded()) {
                            model.put("unthreaded", Threads.MAX_MESSAGES);
                        }
                        model.put("base", base);
                        if (query != null) {
                            model.put("query", query);
                        }
                        model.put("sorting", sorting);
                        if (older) {
                            long next = shown.get(shown.size() - 1).uid();
                            String parameters = sorting.equals(Sorting.NEWEST_FIRST)
                                    ? "?before=" + next + (query == null ? ""
                                            : "&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8))
                                    : "?" + sorting.parameters() + "&page=" + (page + 1);
                            if (page < MAX_PAGE) {
                                model.put("olderHref", base + parameters);
                                model.put("olderRowsHref", base + "/rows" + parameters);
                            }
                        }
                        boolean paged = before != Long.MAX_VALUE || page > 1;
                        if (paged) {
                            model.put("paged", true);
                        }
                        // The first page follows changes as they come (hato.js); conversations only in folders small
                        // enough to thread again at every new message.
                        model.put("live", !paged && query == null && (sorting.key() != Sorting.Key.THREAD
                                || context.folder().messages() <= LIVE_THREADS));
                        if (!sorting.equals(Sorting.NEWEST_FIRST)) {
                            model.put("firstPage", base + "?" + sorting.parameters());
                        }
                        request.queryParam("error").filter(error -> error.matches("[a-z_]{1,20}"))
                                .ifPresent(error -> model.put("error", error));
                        request.queryParam("sent").ifPresent(sent -> model.put("sent", true));
                        return model;
                    });
                })
                .flatMap(model -> ServerResponse.ok().render(view, model)));
    }

    /**
     * A page of the list: {@link #PAGE} rows and one more (to know whether there are more), and for the thread view
     * each row's depth and, on a conversation's first row, its number of messages.
     */
    private record Listing(List<MessageMeta> rows, Map<Long, Integer> depths, Map<Long, Integer> conversations,
                           boolean unthreaded) {
        static Listing plain(List<MessageMeta> rows, boolean unthreaded) {
            return new Listing(rows, Map.of(), Map.of(), unthreaded);
        }
    }

    private Mono<Listing> listing(Context context, Sorting sorting, long before,
                                  @org.jspecify.annotations.Nullable String query, int page) {
        if (sorting.equals(Sorting.NEWEST_FIRST)) {
            return rows(context, before, query).collectList().map(rows -> Listing.plain(rows, false));
        }
        if (sorting.key() != Sorting.Key.THREAD) {
            return sorted(context, sorting, page).collectList().map(rows -> Listing.plain(rows, false));
        }
        if (context.folder().messages() > Threads.MAX_MESSAGES) {
            Sorting byArrival = new Sorting(Sorting.Key.ARRIVAL, sorting.ascending());
            return sorted(context, byArrival, page).collectList().map(rows -> Listing.plain(rows, true));
        }
        long account = context.user().accountId();
        long mailbox = context.folder().id();
        return threads.order(account, context.folder(), sorting.ascending(), () -> joined(account, mailbox, true)
                        .collectList()
                        .publishOn(reactor.core.scheduler.Schedulers.parallel())
                        .map(messages -> Threads.lines(messages, sorting.comparator())))
                .flatMap(order -> {
                    int from = Math.min(order.size(), (page - 1) * PAGE);
                    int to = Math.min(order.size(), from + PAGE + 1);
                    Map<Long, Integer> depths = new HashMap<>();
                    Map<Long, Integer> conversations = new HashMap<>();
                    List<Long> uids = new ArrayList<>();
                    for (int i = from; i < to; i++) {
                        uids.add(order.uids()[i]);
                        depths.put(order.uids()[i], (int) order.depths()[i]);
                        if (order.conversations()[i] > 1) {
                            conversations.put(order.uids()[i], order.conversations()[i]);
                        }
                    }
                    // A message expunged since the order was kept is simply not shown.
                    return Flux.fromIterable(uids).flatMapSequential(uid -> mailboxes.message(account, mailbox, uid), 8)
                            .collectList()
                            .map(rows -> new Listing(rows, depths, conversations, false));
                });
    }

    /**
     * The page's rows, newest first, {@link #PAGE} and one more (to know whether there are older ones): the folder's
     * newest below {@code before}, or, for a search, its messages whose header or body text contains the query (the
     * store's text search that IMAP SEARCH TEXT uses, Japanese words too).
     */
    private Flux<MessageMeta> rows(Context context, long before, @org.jspecify.annotations.Nullable String query) {
        long account = context.user().accountId();
        long mailbox = context.folder().id();
        if (query == null) {
            return mailboxes.newest(account, mailbox, before, PAGE + 1);
        }
        return search.find(account, mailbox, MessageSearch.TextQuery.text(SearchText.form(query)),
                        (int) Math.min(Integer.MAX_VALUE, context.folder().messages()))
                .filter(uid -> uid < before)
                .takeLast(PAGE + 1)
                .collectList()
                .flatMapMany(uids -> {
                    List<Long> newestFirst = new ArrayList<>(uids);
                    java.util.Collections.reverse(newestFirst);
                    return Flux.fromIterable(newestFirst);
                })
                .flatMapSequential(uid -> mailboxes.message(account, mailbox, uid), 8);
    }

    /**
     * A page of the folder in another order than newest first: its messages and (for date, sender and subject) their
     * sort fields, read in UID order and joined as they stream, the first {@code page} pages kept in a bounded heap.
     */
    private Flux<MessageMeta> sorted(Context context, Sorting sorting, int page) {
        long account = context.user().accountId();
        long mailbox = context.folder().id();
        boolean fields = sorting.key() != Sorting.Key.ARRIVAL && sorting.key() != Sorting.Key.SIZE;
        int keep = page * PAGE + 1;
        Comparator<Sorting.Row> order = sorting.comparator();
        return joined(account, mailbox, fields)
                .map(joined -> Map.entry(Sorting.row(joined.getKey(), joined.getValue()), joined.getKey()))
                .collect(() -> new PriorityQueue<Map.Entry<Sorting.Row, MessageMeta>>(
                                Map.Entry.<Sorting.Row, MessageMeta>comparingByKey(order).reversed()),
                        (heap, entry) -> {
                            heap.add(entry);
                            if (heap.size() > keep) {
                                heap.poll();
                            }
                        })
                .flatMapMany(heap -> {
                    List<Map.Entry<Sorting.Row, MessageMeta>> best = new ArrayList<>(heap);
                    best.sort(Map.Entry.comparingByKey(order));
                    int from = Math.min(best.size(), (page - 1) * PAGE);
                    return Flux.fromIterable(best.subList(from, best.size())).map(Map.Entry::getValue);
                });
    }

    /**
     * The folder's messages in UID order, each with its sort fields when {@code fields} (null when it has none). The
     * sort fields are read first, whole, and the messages then: one connection at a time. (Two queries streamed side
     * by side hold two connections per page; pages enough at once each holding one and waiting for the other would
     * take the whole pool.)
     */
    private Flux<Map.Entry<MessageMeta, MessageSearch.@org.jspecify.annotations.Nullable SortRow>> joined(
            long account, long mailbox, boolean fields) {
        Mono<Map<Long, MessageSearch.SortRow>> rows = fields
                ? search.sortFields(account, mailbox).collectMap(MessageSearch.SortRow::uid)
                : Mono.just(Map.of());
        return rows.flatMapMany(byUid -> mailboxes.messages(account, mailbox)
                .map(meta -> new java.util.AbstractMap.SimpleImmutableEntry<>(meta, byUid.get(meta.uid()))));
    }

    /** Where a folder's list is: {@code /mail} for the INBOX (the page people land on), else by ID. */
    static String base(Folder folder) {
        return folder.inbox() ? "/mail" : "/mail/folder/" + folder.id();
    }

    private Mono<List<Headline>> headlines(List<MessageMeta> rows) {
        if (rows.isEmpty()) {
            return Mono.just(List.of());
        }
        Map<Long, Integer> lengths = new HashMap<>();
        List<Long> blobIds = new ArrayList<>();
        for (MessageMeta row : rows) {
            lengths.put(row.blobId(), (int) Math.max(1, Math.min(row.size(), Headline.HEAD)));
            blobIds.add(row.blobId());
        }
        return Mono.zip(blobs.heads(lengths), blobs.previews(blobIds)).map(found -> rows.stream()
                .map(row -> Headline.of(row.uid(), found.getT1().get(row.blobId()), row.internalDate(), row.size(),
                        row.flags().contains("\\Seen"), row.flags().contains("\\Flagged"),
                        found.getT2().getOrDefault(row.blobId(), "")))
                .toList());
    }

    /** The actions of the list's and the reader's forms. */
    private Mono<ServerResponse> act(ServerRequest request) {
        return request.formData().flatMap(form -> context(request, mailboxes, id(request)).flatMap(context -> {
            String action = Optional.ofNullable(form.getFirst("action")).orElse("");
            List<Long> uids = uids(form);
            long account = context.user().accountId();
            long source = context.folder().id();
            String back = back(form, context.folder(), uids);
            if (uids.isEmpty()) {
                return redirect(back);
            }
            Mono<?> done = switch (action) {
                case "read" -> flags(account, source, uids, Mailboxes.FlagMode.ADD, "\\Seen");
                case "unread" -> flags(account, source, uids, Mailboxes.FlagMode.REMOVE, "\\Seen");
                case "flag" -> flags(account, source, uids, Mailboxes.FlagMode.ADD, "\\Flagged");
                case "unflag" -> flags(account, source, uids, Mailboxes.FlagMode.REMOVE, "\\Flagged");
                case "move", "copy" -> target(context, form).flatMap(target ->
                        mailboxes.copy(account, source, uids, target.id(), action.equals("move")));
                case "delete" -> delete(context, uids);
                default -> Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "unknown action"));
            };
            boolean leaves = action.equals("move") || action.equals("delete");
            String after = leaves ? base(context.folder()) : back;
            return done.then(redirect(after))
                    .onErrorResume(MailboxException.class, e -> redirect(base(context.folder()) + "?error="
                            + e.reason().name().toLowerCase(java.util.Locale.ROOT)));
        }));
    }

    private Mono<?> flags(long account, long mailbox, List<Long> uids, Mailboxes.FlagMode mode, String flag) {
        return mailboxes.store(account, mailbox, uids, mode, Set.of(flag), null);
    }

    private static Mono<Folder> target(Context context, MultiValueMap<String, String> form) {
        String target = form.getFirst("target");
        if (target == null) {
            return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST, "no target folder"));
        }
        long id = number(target);
        return Folder.find(context.folders(), id)
                .switchIfEmpty(Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND)));
    }

    /** To Trash (made when there is none), or out of Trash for good. */
    private Mono<?> delete(Context context, List<Long> uids) {
        long account = context.user().accountId();
        long source = context.folder().id();
        if (context.folder().trash()) {
            return mailboxes.store(account, source, uids, Mailboxes.FlagMode.ADD, Set.of("\\Deleted"), null)
                    .then(mailboxes.expunge(account, source, uids));
        }
        Mono<Long> trash = Mono.justOrEmpty(context.folders().stream().filter(Folder::trash).findFirst())
                .switchIfEmpty(Mono.justOrEmpty(context.folders().stream()
                        .filter(folder -> folder.name().equalsIgnoreCase("Trash")).findFirst()))
                .map(Folder::id)
                .switchIfEmpty(Mono.defer(() -> mailboxes.create(account, "Trash", Folder.TRASH)
                        .map(info -> info.id())));
        return trash.flatMap(target -> mailboxes.copy(account, source, uids, target, true));
    }

    /** Where the form asked to go back to: the message (when it is still there) or the list. */
    private static String back(MultiValueMap<String, String> form, Folder folder, List<Long> uids) {
        if ("message".equals(form.getFirst("return")) && uids.size() == 1) {
            return "/mail/folder/" + folder.id() + "/message/" + uids.get(0);
        }
        return base(folder);
    }

    private static List<Long> uids(MultiValueMap<String, String> form) {
        List<String> values = form.getOrDefault("uid", List.of());
        List<Long> uids = new ArrayList<>();
        for (String value : values.subList(0, Math.min(values.size(), 1000))) {
            long uid = uidOrMax(value);
            if (uid != Long.MAX_VALUE) {
                uids.add(uid);
            }
        }
        return uids;
    }

    static Mono<ServerResponse> redirect(String location) {
        return ServerResponse.seeOther(URI.create(location)).build();
    }

    static long uidOrMax(String text) {
        try {
            long uid = Long.parseLong(text);
            return uid > 0 ? uid : Long.MAX_VALUE;
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
