package dev.hato.web.mail;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.message.MimeEntity;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reading one message: {@code GET /mail/folder/{id}/message/{uid}} shows its header fields, its body (plain text on
 * the page; HTML, made safe by {@link SafeHtml}, in a sandboxed frame from {@code …/html}, remote images only with
 * {@code ?images=1}) and its attachments ({@code …/part/{section}}, named as the message names them); {@code
 * …/source} downloads the message as it was received. Opening a message marks it read (as IMAP's BODY[] does).
 */
public final class ReaderRoutes {

    /** Embedded images turned into {@code data:} URLs for one HTML body, at most this many octets of them. */
    static final int MAX_EMBEDDED_OCTETS = 4 * 1024 * 1024;
    /** Types a browser may show itself when a part is downloaded; anything else goes as octets. */
    private static final Set<String> SHOWN_TYPES = Set.of("image/png", "image/jpeg", "image/gif", "image/webp",
            "application/pdf", "text/plain");

    private final Mailboxes mailboxes;
    private final MessageReading reading;

    public ReaderRoutes(Mailboxes mailboxes, MessageReading reading) {
        this.mailboxes = mailboxes;
        this.reading = reading;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/mail/folder/{id}/message/{uid}", this::page)
                .GET("/mail/folder/{id}/message/{uid}/html", this::html)
                .GET("/mail/folder/{id}/message/{uid}/part/{section}", this::part)
                .GET("/mail/folder/{id}/message/{uid}/source", this::source)
                .build();
    }

    private record Opened(MailRoutes.Context context, MessageMeta meta) { }

    private Mono<Opened> open(ServerRequest request) {
        long uid = MailRoutes.number(request.pathVariable("uid"));
        return MailRoutes.context(request, mailboxes, MailRoutes.id(request)).flatMap(context -> mailboxes
                .message(context.user().accountId(), context.folder().id(), uid)
                .switchIfEmpty(Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND)))
                .map(meta -> new Opened(context, meta)));
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        boolean plain = request.queryParam("view").filter("text"::equals).isPresent();
        return open(request).flatMap(opened -> reading.structure(opened.meta().blobId()).flatMap(root -> {
            MessageView view = MessageView.of(root);
            Map<String, Object> model = opened.context().model();
            MessageMeta meta = opened.meta();
            String base = "/mail/folder/" + opened.context().folder().id() + "/message/" + meta.uid();
            model.put("view", view);
            model.put("uid", meta.uid());
            model.put("messageBase", base);
            model.put("listBase", MailRoutes.base(opened.context().folder()));
            model.put("flagged", meta.flags().contains("\\Flagged"));
            model.put("isDraft", meta.flags().contains("\\Draft"));
            model.put("received", Headline.when(meta.internalDate()));
            boolean showHtml = view.html() != null && !(plain && view.text() != null);
            model.put("showHtml", showHtml);
            model.put("alternative", view.html() != null && view.text() != null);
            // Read now: marked so, and the folder tree beside it (read just before) counts it read.
            Mono<Void> seen = meta.flags().contains("\\Seen") ? Mono.empty()
                    : mailboxes.store(meta.accountId(), meta.mailboxId(), List.of(meta.uid()),
                            Mailboxes.FlagMode.ADD, Set.of("\\Seen"), null)
                            .filter(update -> !update.changed().isEmpty())
                            .doOnNext(update -> model.put("folders", oneLessUnread(opened.context().folders(),
                                    meta.mailboxId())))
                            .then();
            Mono<Map<String, Object>> filled = showHtml || view.text() == null ? Mono.just(model)
                    : reading.text(meta.blobId(), view.text().part()).map(text -> {
                        model.put("text", text.text());
                        model.put("cut", text.cut());
                        return model;
                    });
            return seen.then(filled).flatMap(full -> ServerResponse.ok().render("message", full));
        }));
    }

    private static List<Folder> oneLessUnread(List<Folder> folders, long folderId) {
        return folders.stream().map(folder -> folder.id() != folderId ? folder : new Folder(folder.id(),
                folder.name(), folder.specialUse(), folder.messages(), Math.max(0, folder.unseen() - 1),
                folder.subscribed(), folder.uidNext())).toList();
    }

    private Mono<ServerResponse> html(ServerRequest request) {
        boolean images = request.queryParam("images").filter("1"::equals).isPresent();
        return open(request).flatMap(opened -> reading.structure(opened.meta().blobId()).flatMap(root -> {
            MessageView view = MessageView.of(root);
            if (view.html() == null) {
                return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
            }
            long blob = opened.meta().blobId();
            return Mono.zip(reading.text(blob, view.html().part()), embedded(blob, root, view))
                    // Cleaning up to 2 MB of HTML is CPU work for the parallel workers, not the event loop.
                    .publishOn(Schedulers.parallel())
                    .map(both -> SafeHtml.clean(both.getT1().text(), both.getT2(), images))
                    .flatMap(document -> ServerResponse.ok()
                            .contentType(new MediaType("text", "html", StandardCharsets.UTF_8))
                            .header("Content-Security-Policy", images ? SafeHtml.POLICY_WITH_IMAGES : SafeHtml.POLICY)
                            .header("X-Frame-Options", "SAMEORIGIN")
                            .header("Referrer-Policy", "no-referrer")
                            .cacheControl(CacheControl.noStore())
                            .bodyValue(document));
        }));
    }

    /** The images the message carries with a Content-ID, as {@code data:} URLs, within {@link #MAX_EMBEDDED_OCTETS}. */
    private Mono<Map<String, String>> embedded(long blob, MimeEntity root, MessageView view) {
        long[] budget = {MAX_EMBEDDED_OCTETS};
        return Flux.fromIterable(view.contentIds().entrySet())
                .concatMap(entry -> {
                    MimeEntity part = MessageView.section(root, entry.getValue());
                    if (part == null || !part.type().equals("IMAGE") || part.end() - part.bodyStart() > budget[0]) {
                        return Mono.empty();
                    }
                    budget[0] -= part.end() - part.bodyStart();
                    return reading.decoded(blob, part)
                            .collect(ByteArrayOutputStream::new, (out, octets) -> out.write(octets, 0, octets.length))
                            .map(out -> Map.entry(entry.getKey(), "data:image/"
                                    + part.subtype().toLowerCase(Locale.ROOT) + ";base64,"
                                    + Base64.getEncoder().encodeToString(out.toByteArray())));
                })
                .collectMap(Map.Entry::getKey, Map.Entry::getValue, HashMap::new);
    }

    private Mono<ServerResponse> part(ServerRequest request) {
        String section = request.pathVariable("section");
        return open(request).flatMap(opened -> reading.structure(opened.meta().blobId()).flatMap(root -> {
            MimeEntity part = section.length() > 40 ? null : MessageView.section(root, section);
            if (part == null || part.kind() == dev.hato.message.MessagePart.Kind.MULTIPART) {
                return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
            }
            MessageView view = MessageView.of(root);
            String name = view.attachments().stream().filter(a -> a.section().equals(section)).findFirst()
                    .map(MessageView.Attachment::name).orElseGet(() -> {
                        String own = MessageView.fileName(part);
                        return own != null ? own : "part-" + section;
                    });
            String type = (part.type() + "/" + part.subtype()).toLowerCase(Locale.ROOT);
            boolean message = type.equals("message/rfc822");
            Flux<DataBuffer> body = message
                    ? reading.range(opened.meta().blobId(), part.bodyStart(), part.end()).map(ReaderRoutes::buffer)
                    : reading.decoded(opened.meta().blobId(), part).map(DefaultDataBufferFactory.sharedInstance::wrap);
            return download(body, message ? "message/rfc822" : type, name);
        }));
    }

    private Mono<ServerResponse> source(ServerRequest request) {
        return open(request).flatMap(opened -> reading.structure(opened.meta().blobId()).flatMap(root -> {
            String subject = MessageView.field(root, "subject");
            String name = (subject.isBlank() ? "message-" + opened.meta().uid() : subject) + ".eml";
            Flux<DataBuffer> body = reading.range(opened.meta().blobId(), 0, Long.MAX_VALUE)
                    .map(ReaderRoutes::buffer);
            return download(body, "message/rfc822", name);
        }));
    }

    private static DataBuffer buffer(ByteBuffer chunk) {
        return DefaultDataBufferFactory.sharedInstance.wrap(chunk.duplicate());
    }

    /**
     * A download, named for every browser (RFC 6266: an ASCII {@code filename} and the UTF-8 {@code filename*}),
     * never rendered as a page of this site: types a browser could run are sent as octets, and the response is
     * sandboxed.
     */
    private static Mono<ServerResponse> download(Flux<DataBuffer> body, String type, String name) {
        String cleanName = name.replaceAll("[\\p{Cntrl}/\\\\]", "_");
        String ascii = cleanName.replaceAll("[^\\x20-\\x7E]", "_").replace("\"", "_");
        String encoded = URLEncoder.encode(cleanName, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
        MediaType mediaType = SHOWN_TYPES.contains(type) || type.equals("message/rfc822")
                ? MediaType.parseMediaType(type) : MediaType.APPLICATION_OCTET_STREAM;
        return ServerResponse.ok()
                .contentType(mediaType)
                .header("Content-Disposition", "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded)
                .header("Content-Security-Policy", "default-src 'none'; sandbox")
                .cacheControl(CacheControl.noStore())
                .body(BodyInserters.fromDataBuffers(body));
    }
}
