package dev.hato.web.admin;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.store.admin.Administrators;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.MigrationStatus;
import dev.hato.store.mail.Mailboxes;
import dev.hato.web.mail.MailRoutes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * {@code GET /admin}: the domains the person administers (all of them for a site administrator), each with how its
 * people's move from the old mail system goes; {@code GET /admin/migration?domain=D}: that move in detail, person by
 * person (the dashboard of issue 17): state, passes, messages copied and refused, throughput, verification, the last
 * error, and whether the server is copying them. Someone who administers nothing gets 403; a domain they do not
 * administer, 403 as well, and the store's query would give them nothing of it anyway.
 */
public final class AdminRoutes {

    private final Mailboxes mailboxes;
    private final Administrators administrators;
    private final LegacyBackends legacy;

    public AdminRoutes(Mailboxes mailboxes, Administrators administrators, LegacyBackends legacy) {
        this.mailboxes = mailboxes;
        this.administrators = administrators;
        this.legacy = legacy;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/admin", this::overview)
                .GET("/admin/migration", this::migration)
                .build();
    }

    /** One domain's move, summed up. */
    public record Summary(String domain, int people, Map<String, Integer> states, long copied, long refused,
                         int verified, int differing, int failed, int inServer, double messagesPerSecond) {
        static Summary of(String domain, List<MigrationStatus> rows) {
            Map<String, Integer> states = new TreeMap<>();
            long copied = 0;
            long refused = 0;
            int verified = 0;
            int differing = 0;
            int failed = 0;
            int inServer = 0;
            Instant first = null;
            Instant last = null;
            for (MigrationStatus row : rows) {
                states.merge(row.state(), 1, Integer::sum);
                copied += row.copied();
                refused += row.refused();
                verified += Boolean.TRUE.equals(row.verified()) ? 1 : 0;
                differing += Boolean.FALSE.equals(row.verified()) ? 1 : 0;
                failed += row.state().equals("failed") ? 1 : 0;
                inServer += row.background() ? 1 : 0;
                first = first == null || row.startedAt().isBefore(first) ? row.startedAt() : first;
                last = last == null || row.updatedAt().isAfter(last) ? row.updatedAt() : last;
            }
            return new Summary(domain, rows.size(), states, copied, refused, verified, differing, failed, inServer,
                    rate(copied, first, last));
        }
    }

    /** One person's row of the dashboard, with their own throughput. */
    public record Row(MigrationStatus status, double messagesPerSecond) { }

    /** Messages per second between {@code from} and {@code to} (at least one second), one decimal. */
    static double rate(long messages, @Nullable Instant from, @Nullable Instant to) {
        if (from == null || to == null || messages == 0) {
            return 0;
        }
        double seconds = Math.max(1, Duration.between(from, to).toMillis() / 1000.0);
        return Math.round(messages / seconds * 10) / 10.0;
    }

    private Mono<ServerResponse> overview(ServerRequest request) {
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> administrators
                .domains(context.user().accountId()).flatMap(domains -> {
                    if (domains.isEmpty()) {
                        return Mono.error(new ResponseStatusException(HttpStatus.FORBIDDEN));
                    }
                    return reactor.core.publisher.Flux.fromIterable(domains)
                            .concatMap(domain -> legacy.migrationsAdministered(context.user().accountId(), domain)
                                    .collectList().map(rows -> Summary.of(domain, rows)))
                            .collectList()
                            .flatMap(summaries -> {
                                context.model().put("summaries", summaries);
                                return ServerResponse.ok().render("admin", context.model());
                            });
                }));
    }

    private Mono<ServerResponse> migration(ServerRequest request) {
        String domain = request.queryParam("domain").map(d -> d.trim().toLowerCase(Locale.ROOT)).orElse("");
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> administrators
                .domains(context.user().accountId()).flatMap(domains -> {
                    if (!domains.contains(domain)) {
                        return Mono.error(new ResponseStatusException(HttpStatus.FORBIDDEN));
                    }
                    return legacy.migrationsAdministered(context.user().accountId(), domain).collectList()
                            .flatMap(rows -> {
                                List<Row> table = new ArrayList<>();
                                rows.forEach(row -> table.add(new Row(row, rate(row.copied(), row.startedAt(),
                                        row.updatedAt()))));
                                context.model().put("summary", Summary.of(domain, rows));
                                context.model().put("rows", table);
                                context.model().put("problems", rows.stream().filter(row -> row.lastError() != null
                                        || Boolean.FALSE.equals(row.verified())).toList());
                                return ServerResponse.ok().render("admin-migration", context.model());
                            });
                }));
    }
}
