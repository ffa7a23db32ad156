package dev.hato.web.mail;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.store.mail.MailboxException;
import dev.hato.store.mail.Mailboxes;
import java.text.Normalizer;
import java.util.Locale;
import java.util.Optional;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Managing folders: {@code GET /mail/folders} lists them with forms to create (at the top or inside another),
 * rename, delete and (un)subscribe, the same operations as IMAP's CREATE, RENAME, DELETE and SUBSCRIBE on the same
 * store, so a folder made here is in every mail client at once. Names are Unicode (Japanese names too); {@code /}
 * separates levels and may not start, end or double a name. INBOX cannot be renamed or deleted here.
 */
public final class FolderRoutes {

    /** The longest name of one level, in characters. */
    static final int MAX_NAME = 200;

    private final Mailboxes mailboxes;

    public FolderRoutes(Mailboxes mailboxes) {
        this.mailboxes = mailboxes;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/mail/folders", this::page)
                .POST("/mail/folders", this::create)
                .POST("/mail/folder/{id}/rename", this::rename)
                .POST("/mail/folder/{id}/remove", this::remove)
                .POST("/mail/folder/{id}/subscribe", this::subscribe)
                .build();
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            request.queryParam("error").filter(error -> error.matches("[a-z_]{1,20}"))
                    .ifPresent(error -> context.model().put("error", error));
            request.queryParam("done").filter(done -> done.matches("[a-z]{1,20}"))
                    .ifPresent(done -> context.model().put("done", done));
            return ServerResponse.ok().render("folders", context.model());
        });
    }

    private Mono<ServerResponse> create(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            Optional<String> name = segment(form.getFirst("name"));
            if (name.isEmpty()) {
                return done("invalid_name");
            }
            String parentId = form.getFirst("parent");
            String parent = "";
            for (Folder folder : context.folders()) {
                if (String.valueOf(folder.id()).equals(parentId)) {
                    parent = folder.name();
                }
            }
            String full = parent.isEmpty() ? name.get() : parent + Folder.DELIMITER + name.get();
            long account = context.user().accountId();
            return mailboxes.create(account, full, null)
                    .then(mailboxes.subscribe(account, full, true))
                    .then(done("created"));
        })).onErrorResume(MailboxException.class, FolderRoutes::refused);
    }

    private Mono<ServerResponse> rename(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, MailRoutes.id(request))
                .flatMap(context -> {
                    Optional<String> name = segment(form.getFirst("name"));
                    Folder folder = context.folder();
                    if (name.isEmpty() || folder.inbox()) {
                        return done(folder.inbox() ? "cannot" : "invalid_name");
                    }
                    int last = folder.name().lastIndexOf(Folder.DELIMITER);
                    String renamed = last < 0 ? name.get() : folder.name().substring(0, last + 1) + name.get();
                    long account = context.user().accountId();
                    // RFC 3501 leaves subscriptions where they were; a person renaming in the browser means the folder.
                    Mono<Void> subscription = folder.subscribed()
                            ? mailboxes.subscribe(account, folder.name(), false)
                                    .then(mailboxes.subscribe(account, renamed, true))
                            : Mono.empty();
                    return mailboxes.rename(account, folder.name(), renamed).then(subscription).then(done("renamed"));
                })).onErrorResume(MailboxException.class, FolderRoutes::refused);
    }

    private Mono<ServerResponse> remove(ServerRequest request) {
        return MailRoutes.context(request, mailboxes, MailRoutes.id(request)).flatMap(context -> {
            Folder folder = context.folder();
            boolean parent = context.folders().stream()
                    .anyMatch(other -> other.name().startsWith(folder.name() + Folder.DELIMITER));
            if (folder.inbox() || parent) {
                return done(parent ? "has_children" : "cannot");
            }
            long account = context.user().accountId();
            return mailboxes.delete(account, folder.name())
                    .then(mailboxes.subscribe(account, folder.name(), false))
                    .then(done("deleted"));
        }).onErrorResume(MailboxException.class, FolderRoutes::refused);
    }

    private Mono<ServerResponse> subscribe(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, MailRoutes.id(request))
                .flatMap(context -> mailboxes.subscribe(context.user().accountId(), context.folder().name(),
                                "true".equals(form.getFirst("subscribed")))
                        .then(done("saved"))));
    }

    /** One level of a folder name as typed: NFC, trimmed, no delimiter, no control character, not too long. */
    static Optional<String> segment(String typed) {
        if (typed == null) {
            return Optional.empty();
        }
        String name = Normalizer.normalize(typed, Normalizer.Form.NFC).strip();
        if (name.isEmpty() || name.length() > MAX_NAME || name.indexOf(Folder.DELIMITER) >= 0
                || name.codePoints().anyMatch(c -> Character.isISOControl(c) || c == '*' || c == '%')
                || name.equalsIgnoreCase(Folder.INBOX)) {
            return Optional.empty();
        }
        return Optional.of(name);
    }

    private static Mono<ServerResponse> done(String outcome) {
        boolean error = !outcome.equals("created") && !outcome.equals("renamed") && !outcome.equals("deleted")
                && !outcome.equals("saved");
        return MailRoutes.redirect("/mail/folders?" + (error ? "error=" : "done=") + outcome);
    }

    private static Mono<ServerResponse> refused(MailboxException e) {
        return done(e.reason().name().toLowerCase(Locale.ROOT));
    }
}
