package dev.hato.web.compose;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.message.HeaderAddresses;
import dev.hato.message.MimeEntity;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import dev.hato.web.login.WebUser;
import dev.hato.web.mail.Correspondents;
import dev.hato.web.mail.MailRoutes;
import dev.hato.web.mail.MessageReading;
import dev.hato.web.mail.MessageView;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.FormFieldPart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code GET /mail/compose}: the form, empty or for a reply ({@code ?reply=<folder>/<uid>}, {@code &all=1} to reply
 * to all) or a forward ({@code ?forward=<folder>/<uid>}, {@code &as=attachment} to attach the original); {@code POST
 * /mail/compose} (multipart, the files last): writes the message ({@link MessageWriter}) and hands it to {@link
 * MailSubmission}. A refusal shows the form again with what was typed (files must be chosen again) and the reason.
 */
public final class ComposeRoutes {

    /** The longest text accepted in the form's body, in characters. */
    static final int MAX_TEXT = 1024 * 1024;
    static final int MAX_ATTACHMENTS = 20;

    private final Mailboxes mailboxes;
    private final MessageReading reading;
    private final MailSubmission submission;
    private final Correspondents correspondents;

    public ComposeRoutes(Mailboxes mailboxes, MessageReading reading, MailSubmission submission,
                         Correspondents correspondents) {
        this.mailboxes = mailboxes;
        this.reading = reading;
        this.submission = submission;
        this.correspondents = correspondents;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/mail/compose", this::form)
                .POST("/mail/compose", this::send)
                .POST("/mail/compose/draft", this::autosave)
                .build();
    }

    /** The fields of the form, as typed or prefilled. */
    record Fields(String to, String cc, String bcc, String subject, String text, String html, String inReplyTo,
                  String references, String forwardOf, String draftUid) {
        Fields(String to, String cc, String bcc, String subject, String text, String inReplyTo, String references,
               String forwardOf) {
            this(to, cc, bcc, subject, text, "", inReplyTo, references, forwardOf, "");
        }

        Fields withDraft(long uid) {
            return new Fields(to, cc, bcc, subject, text, html, inReplyTo, references, forwardOf,
                    String.valueOf(uid));
        }

        Fields withHtml(String cleanHtml) {
            return new Fields(to, cc, bcc, subject, text, cleanHtml, inReplyTo, references, forwardOf, draftUid);
        }

        /**
         * Whether the person wrote in the HTML editor (the form's {@code format} was {@code html}); {@code text} is
         * then the plain form of {@code html}.
         */
        boolean rich() {
            return !html.isEmpty();
        }
    }

    private Mono<ServerResponse> form(ServerRequest request) {
        Optional<String> draft = request.queryParam("draft");
        if (draft.isPresent()) {
            return MailRoutes.context(request, mailboxes, null).flatMap(context -> original(request, draft.get())
                    .flatMap(this::fromDraft).flatMap(filled -> render(context.model(), filled, null)));
        }
        Optional<String> reply = request.queryParam("reply");
        Optional<String> forward = request.queryParam("forward");
        Optional<String> source = reply.isPresent() ? reply : forward;
        Mono<Fields> fields = source.isEmpty()
                ? Mono.just(new Fields(request.queryParam("to").orElse(""), "", "", "", "", "", "", ""))
                : original(request, source.get()).flatMap(found -> reply.isPresent()
                        ? replyTo(found, request.queryParam("all").isPresent())
                        : forwardOf(found, source.get(), request.queryParam("as").filter("attachment"::equals)
                                .isPresent()));
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> fields.flatMap(filled ->
                render(context.model(), filled, null)));
    }

    private Mono<ServerResponse> render(Map<String, Object> model, Fields fields, @Nullable String error) {
        model.put("fields", fields);
        model.put("maxSize", submission.maxMessageSize());
        if (error != null) {
            model.put("error", error);
        }
        WebUser user = (WebUser) model.get("user");
        Mono<List<String>> recent = user == null ? Mono.just(List.of()) : correspondents.suggestions(user.accountId(), user.address());
        return recent.flatMap(addresses -> {
            model.put("recent", addresses);
            return ServerResponse.status(error == null ? HttpStatus.OK : HttpStatus.UNPROCESSABLE_ENTITY)
                    .render("compose", model);
        });
    }

    /** A message of the person's, by {@code <folder>/<uid>}: its row, structure and view. */
    private record Original(MessageMeta meta, MimeEntity root, MessageView view) { }

    private Mono<Original> original(ServerRequest request, String reference) {
        String[] parts = reference.split("/", 2);
        if (parts.length != 2) {
            return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND));
        }
        long folder = MailRoutes.number(parts[0]);
        long uid = MailRoutes.number(parts[1]);
        return MailRoutes.context(request, mailboxes, folder).flatMap(context -> mailboxes
                .message(context.user().accountId(), folder, uid)
                .switchIfEmpty(Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND)))
                .flatMap(meta -> reading.structure(meta.blobId())
                        .map(root -> new Original(meta, root, MessageView.of(root)))));
    }

    private Mono<Fields> replyTo(Original original, boolean all) {
        MimeEntity root = original.root();
        String replyTo = raw(root, "reply-to");
        String to = replyTo.isBlank() ? raw(root, "from") : replyTo;
        String cc = "";
        if (all) {
            List<String> others = new ArrayList<>();
            for (String field : new String[] {raw(root, "to"), raw(root, "cc")}) {
                if (!field.isBlank()) {
                    others.add(field);
                }
            }
            cc = String.join(", ", others);
        }
        String subject = original.view().subject();
        if (!subject.regionMatches(true, 0, "Re:", 0, 3)) {
            subject = "Re: " + subject;
        }
        String messageId = root.field("message-id") == null ? "" : root.field("message-id").strip();
        String finalTo = to;
        String finalCc = cc;
        String finalSubject = subject;
        // RFC 5322 §3.6.4: the parent's References (else its In-Reply-To), then its Message-ID.
        return reading.headerField(original.meta().blobId(), root, "references").flatMap(parentReferences -> {
            List<String> references = new ArrayList<>(HeaderAddresses.messageIds(parentReferences));
            if (references.isEmpty()) {
                references.addAll(HeaderAddresses.messageIds(root.field("in-reply-to")));
            }
            references.addAll(HeaderAddresses.messageIds(messageId));
            return quoted(original).map(text -> new Fields(finalTo, finalCc, "", finalSubject,
                    "\n\n" + (original.view().date().isEmpty() ? "" : original.view().date() + ", ")
                            + original.view().from() + ":\n" + text,
                    messageId, String.join(" ", references), ""));
        });
    }

    /** A draft opened again: what it holds, and its UID when it is in Drafts (so saving or sending replaces it). */
    private Mono<Fields> fromDraft(Original original) {
        MimeEntity root = original.root();
        long uid = original.meta().flags().contains("\\Draft") ? original.meta().uid() : -1;
        return reading.headerField(original.meta().blobId(), root, "bcc").flatMap(bcc ->
                reading.headerField(original.meta().blobId(), root, "references").flatMap(references ->
                        plain(original).zipWith(html(original)).map(texts -> {
                            Fields fields = new Fields(raw(root, "to"), raw(root, "cc"),
                                    dev.hato.message.EncodedWords.decode(bcc).strip(), original.view().subject(),
                                    texts.getT1(), root.field("in-reply-to") == null ? ""
                                            : root.field("in-reply-to").strip(), references, "");
                            if (!texts.getT2().isEmpty()) {
                                fields = fields.withHtml(texts.getT2());
                            }
                            return uid > 0 ? fields.withDraft(uid) : fields;
                        })));
    }

    private Mono<Fields> forwardOf(Original original, String reference, boolean asAttachment) {
        String subject = original.view().subject();
        if (!subject.regionMatches(true, 0, "Fwd:", 0, 4)) {
            subject = "Fwd: " + subject;
        }
        String finalSubject = subject;
        if (asAttachment) {
            return Mono.just(new Fields("", "", "", finalSubject, "", "", "", reference));
        }
        MessageView view = original.view();
        return plain(original).map(text -> new Fields("", "", "", finalSubject,
                "\n\n---------- Forwarded message ----------\nFrom: " + view.from() + "\nDate: " + view.date()
                        + "\nSubject: " + view.subject() + "\nTo: " + view.to() + "\n\n" + text, "", "", ""));
    }

    /** The original's plain text (or nothing), each line quoted with "> ". */
    private Mono<String> quoted(Original original) {
        return plain(original).map(text -> {
            StringBuilder out = new StringBuilder();
            String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
            for (String line : body.split("\r?\n", -1)) {
                out.append(line.startsWith(">") ? ">" : "> ").append(line).append('\n');
            }
            return out.toString();
        });
    }

    private Mono<String> plain(Original original) {
        MessageView.Section text = original.view().text();
        if (text == null) {
            return Mono.just("");
        }
        return reading.shownText(original.meta().blobId(), text.part()).map(plain -> plain.replace("\r\n", "\n"));
    }

    /** The original's HTML part, cleaned as the editor's is (empty when it has none): a draft written as HTML. */
    private Mono<String> html(Original original) {
        MessageView.Section html = original.view().html();
        if (html == null) {
            return Mono.just("");
        }
        return reading.shownText(original.meta().blobId(), html.part()).publishOn(Schedulers.parallel())
                .map(text -> RichText.compose(text).html());
    }

    private static String raw(MimeEntity root, String name) {
        String value = root.field(name);
        return value == null ? "" : dev.hato.message.EncodedWords.decode(value).strip();
    }

    // ------------------------------------------------------------------------------------------------- sending

    private Mono<ServerResponse> send(ServerRequest request) {
        String client = request.remoteAddress().map(InetSocketAddress::getAddress)
                .map(address -> address.getHostAddress()).orElse("unknown");
        return request.multipartData().flatMap(parts -> Mono.zip(MailRoutes.context(request, mailboxes, null),
                        read(parts))
                .flatMap(read -> {
                    MailRoutes.Context context = read.getT1();
                    Fields fields = read.getT2();
                    boolean draftOnly = "draft".equals(field(parts, "action"));
                    WebUser user = context.user();
                    AddressList to;
                    AddressList cc;
                    AddressList bcc;
                    try {
                        to = AddressList.parse(fields.to());
                        cc = AddressList.parse(fields.cc());
                        bcc = AddressList.parse(fields.bcc());
                    } catch (AddressList.Invalid e) {
                        return render(context.model(), fields, "compose.error.address:" + e.piece());
                    }
                    Set<String> recipients = new LinkedHashSet<>();
                    for (AddressList list : List.of(to, cc, bcc)) {
                        list.mailboxes().forEach(mailbox -> recipients.add(mailbox.address()));
                    }
                    if (recipients.isEmpty() && !draftOnly) {
                        return render(context.model(), fields, "compose.error.noRecipient");
                    }
                    if (recipients.size() > AddressList.MAX_RECIPIENTS) {
                        return render(context.model(), fields, "compose.error.tooManyRecipients");
                    }
                    if (tooLarge(parts, fields)) {
                        return render(context.model(), fields, "compose.error.tooLarge");
                    }
                    List<FilePart> files = parts.getOrDefault("attachment", List.of()).stream()
                            .filter(FilePart.class::isInstance).map(FilePart.class::cast)
                            .filter(file -> !file.filename().isBlank()).toList();
                    if (files.size() > MAX_ATTACHMENTS) {
                        return render(context.model(), fields, "compose.error.tooManyFiles");
                    }
                    return attachments(request, fields.forwardOf(), files).flatMap(attachments -> {
                        String domain = user.address().substring(user.address().lastIndexOf('@') + 1);
                        MessageWriter.Draft draft = new MessageWriter.Draft(
                                new AddressList.Mailbox(user.displayName(), user.address()), to.mailboxes(),
                                cc.mailboxes(), bcc.mailboxes(), fields.subject(), fields.text(),
                                fields.rich() ? fields.html() : null, blankToNull(fields.inReplyTo()),
                                references(fields.references()));
                        Flux<ByteBuffer> message = limited(MessageWriter.write(draft, attachments,
                                ZonedDateTime.now(), MessageWriter.messageId(domain), draftOnly),
                                submission.maxMessageSize());
                        Long previous = draftUid(fields);
                        if (draftOnly) {
                            return submission.saveDraft(user, message, previous)
                                    .flatMap(uid -> {
                                        context.model().put("notice", "compose.draftSaved");
                                        return render(context.model(), fields.withDraft(uid), null);
                                    })
                                    .onErrorResume(TooLarge.class, e -> render(context.model(), fields,
                                            "compose.error.tooLarge"));
                        }
                        return submission.submit(user, client, List.copyOf(recipients), message)
                                .onErrorResume(TooLarge.class, e -> Mono.just(new MailSubmission.Refused(
                                        "compose.error.tooLarge", false)))
                                .flatMap(result -> result instanceof MailSubmission.Sent sent
                                        ? (previous == null ? Mono.<Void>empty()
                                                : submission.discardDraft(user, previous))
                                                .then(ServerResponse.seeOther(URI.create("/mail?sent="
                                                        + sent.recipients())).build())
                                        : render(context.model(), fields,
                                                ((MailSubmission.Refused) result).reason()));
                    });
                }));
    }

    /**
     * The form as posted; the editor's HTML is taken only when {@code format} is {@code html} (the page's script sets
     * it) and is cleaned at once, so whatever is shown again or written is the cleaned form.
     */
    private static Fields fields(MultiValueMap<String, Part> parts) {
        String text = field(parts, "text");
        String html = "";
        if (rich(parts) && field(parts, "html").length() <= MAX_TEXT) {
            RichText.Composed composed = RichText.compose(field(parts, "html"));
            html = composed.isEmpty() ? "<p></p>" : composed.html();
            text = composed.text();
        }
        return new Fields(field(parts, "to"), field(parts, "cc"), field(parts, "bcc"), field(parts, "subject"),
                text, html, field(parts, "inReplyTo"), field(parts, "references"), field(parts, "forwardOf"),
                field(parts, "draftUid"));
    }

    /**
     * The form read on a parallel worker: cleaning the editor's HTML is CPU work on what the browser sent (up to
     * {@link #MAX_TEXT} characters), never done on an event loop.
     */
    private static Mono<Fields> read(MultiValueMap<String, Part> parts) {
        return Mono.fromCallable(() -> fields(parts)).subscribeOn(Schedulers.parallel());
    }

    private static boolean rich(MultiValueMap<String, Part> parts) {
        return "html".equals(field(parts, "format"));
    }

    /**
     * Over the size the form takes: the text, the editor's HTML (when it is what was written) or the subject. The
     * plain form of HTML may be somewhat longer than the HTML (quote marks, link addresses): twice the limit.
     */
    private static boolean tooLarge(MultiValueMap<String, Part> parts, Fields fields) {
        int textLimit = fields.rich() ? 2 * MAX_TEXT : MAX_TEXT;
        return fields.text().length() > textLimit || rich(parts) && field(parts, "html").length() > MAX_TEXT
                || fields.subject().length() > 1000;
    }

    private static @Nullable Long draftUid(Fields fields) {
        return fields.draftUid().matches("[1-9][0-9]{0,17}") ? Long.valueOf(fields.draftUid()) : null;
    }

    /**
     * {@code POST /mail/compose/draft}: the page's script saving the form every little while (without its files):
     * answers the draft's UID as JSON, so the next save replaces it.
     */
    private Mono<ServerResponse> autosave(ServerRequest request) {
        return request.multipartData().flatMap(parts -> Mono.zip(MailRoutes.context(request, mailboxes, null),
                        read(parts))
                .flatMap(read -> {
                    MailRoutes.Context context = read.getT1();
                    Fields fields = read.getT2();
                    WebUser user = context.user();
                    List<AddressList.Mailbox> none = List.of();
                    List<List<AddressList.Mailbox>> lists = new ArrayList<>();
                    for (String typed : new String[] {fields.to(), fields.cc(), fields.bcc()}) {
                        try {
                            lists.add(AddressList.parse(typed).mailboxes());
                        } catch (AddressList.Invalid e) {
                            lists.add(none); // half-typed: kept as text in the next full save
                        }
                    }
                    if (tooLarge(parts, fields)) {
                        return ServerResponse.status(HttpStatus.PAYLOAD_TOO_LARGE).build();
                    }
                    String domain = user.address().substring(user.address().lastIndexOf('@') + 1);
                    MessageWriter.Draft draft = new MessageWriter.Draft(
                            new AddressList.Mailbox(user.displayName(), user.address()), lists.get(0), lists.get(1),
                            lists.get(2), fields.subject(), fields.text(), fields.rich() ? fields.html() : null,
                            blankToNull(fields.inReplyTo()), references(fields.references()));
                    return submission.saveDraft(user, MessageWriter.write(draft, List.of(), ZonedDateTime.now(),
                                    MessageWriter.messageId(domain), true), draftUid(fields))
                            .flatMap(uid -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                    .bodyValue("{\"uid\":" + uid + "}"));
                }));
    }

    /** The uploaded files, and the forwarded original when the form forwards one as an attachment. */
    private Mono<List<MessageWriter.Attachment>> attachments(ServerRequest request, String forwardOf,
                                                            List<FilePart> files) {
        List<MessageWriter.Attachment> attachments = new ArrayList<>();
        for (FilePart file : files) {
            attachments.add(new MessageWriter.Attachment(fileName(file.filename()), type(file),
                    file.content().map(buffer -> {
                        byte[] octets = new byte[buffer.readableByteCount()];
                        buffer.read(octets);
                        DataBufferUtils.release(buffer);
                        return ByteBuffer.wrap(octets);
                    })));
        }
        if (forwardOf.isBlank()) {
            return Mono.just(attachments);
        }
        return original(request, forwardOf).map(found -> {
            attachments.add(0, new MessageWriter.Attachment("forwarded.eml", "message/rfc822",
                    reading.original(found.meta().blobId())));
            return attachments;
        });
    }

    /** A message over the size limit: the stream stops there, and the submission refuses it. */
    static final class TooLarge extends RuntimeException {
        TooLarge() {
            super("message too large", null, false, false);
        }
    }

    private static Flux<ByteBuffer> limited(Flux<ByteBuffer> message, long max) {
        return Flux.defer(() -> {
            long[] total = {0};
            return message.handle((chunk, sink) -> {
                total[0] += chunk.remaining();
                if (total[0] > max) {
                    sink.error(new TooLarge());
                } else {
                    sink.next(chunk);
                }
            });
        });
    }

    private static String field(MultiValueMap<String, Part> parts, String name) {
        Part part = parts.getFirst(name);
        return part instanceof FormFieldPart field ? field.value() : "";
    }

    private static @Nullable String blankToNull(String text) {
        String clean = text.strip();
        return clean.isEmpty() || !clean.matches("<[^<>\\s]{1,250}>") ? null : clean;
    }

    private static List<String> references(String typed) {
        List<String> ids = new ArrayList<>();
        for (String id : HeaderAddresses.messageIds(typed)) {
            if (ids.size() < 50 && id.matches("<[^\\s<>]{1,250}>")) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The name the browser gave, without any path, control characters or quotes. */
    static String fileName(String given) {
        String name = given.substring(Math.max(given.lastIndexOf('/'), given.lastIndexOf('\\')) + 1);
        name = name.replaceAll("[\\p{Cntrl}\"]", "_").strip();
        if (name.length() > 200) {
            name = name.substring(name.length() - 200);
        }
        return name.isEmpty() ? "attachment" : name;
    }

    private static String type(FilePart file) {
        MediaType type = file.headers().getContentType();
        if (type == null || type.isWildcardType() || type.isWildcardSubtype()) {
            return "application/octet-stream";
        }
        String text = (type.getType() + "/" + type.getSubtype()).toLowerCase(Locale.ROOT);
        return text.matches("[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")
                && !text.startsWith("multipart/") && !text.startsWith("message/")
                ? text : "application/octet-stream";
    }
}
