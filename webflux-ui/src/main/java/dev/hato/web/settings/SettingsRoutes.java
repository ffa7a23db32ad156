package dev.hato.web.settings;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.store.directory.Directory;
import dev.hato.web.login.LanguageCookie;
import dev.hato.web.login.WebUser;
import dev.hato.web.mail.MailRoutes;
import dev.hato.store.mail.Mailboxes;
import java.net.URI;
import java.util.Set;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /settings}: the person's settings; {@code POST /settings} saves them. The language ({@code auto}: the
 * browser's, else English or Japanese) is kept with the account (so it follows the person to every browser: it is
 * set again at each login) and in this browser's language cookie at once. A person moving from the old mail system
 * (issue 17) also sees how far their move has come.
 */
public final class SettingsRoutes {

    static final String LANGUAGE = "language";
    private static final Set<String> LANGUAGES = Set.of("en", "ja");

    private final Directory directory;
    private final Mailboxes mailboxes;
    private final MailboxMoves moves;

    public SettingsRoutes(Directory directory, Mailboxes mailboxes, MailboxMoves moves) {
        this.directory = directory;
        this.mailboxes = mailboxes;
        this.moves = moves;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/settings", this::page)
                .POST("/settings", this::save)
                .build();
    }

    /** The language a person chose, empty when they let the browser choose: what the login applies. */
    public static Mono<String> language(Directory directory, WebUser user) {
        return directory.settings(user.accountId()).flatMap(settings ->
                Mono.justOrEmpty(settings.get(LANGUAGE)).filter(LANGUAGES::contains));
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> language(directory, context.user())
                .defaultIfEmpty("auto")
                .flatMap(chosen -> moves.of(context.user().accountId())
                        .doOnNext(move -> context.model().put("move", move))
                        .then(Mono.defer(() -> {
                            context.model().put("chosenLanguage", chosen);
                            if (request.queryParam("saved").isPresent()) {
                                context.model().put("saved", true);
                            }
                            return ServerResponse.ok().render("settings", context.model());
                        }))));
    }

    private Mono<ServerResponse> save(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            String language = form.getFirst(LANGUAGE);
            String kept = language != null && LANGUAGES.contains(language) ? language : null;
            return directory.setSetting(context.user().accountId(), LANGUAGE, kept)
                    .then(ServerResponse.seeOther(URI.create("/settings?saved"))
                            .cookie(kept == null ? LanguageCookie.cleared() : LanguageCookie.of(kept)).build());
        }));
    }
}
