package dev.hato.web.contacts;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.contacts.AddressBookFiles;
import dev.hato.contacts.ParsedCard;
import dev.hato.contacts.VCards;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.store.contacts.ContactCard;
import dev.hato.store.contacts.ContactException;
import dev.hato.store.contacts.Precondition;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.ListedPerson;
import dev.hato.store.mail.Mailboxes;
import dev.hato.web.mail.MailRoutes;
import ezvcard.VCard;
import ezvcard.VCardVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.MediaType;
import org.springframework.http.codec.multipart.FilePart;
import org.springframework.http.codec.multipart.Part;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code /contacts}: the person's address book (the one CardDAV clients sync): the list with a search, a form for
 * a contact (name, addresses, telephone, organization, note) or a group (name, members), deletion, import of a
 * vCard, CSV (Outlook, Gmail) or LDIF (Thunderbird) file and export to each. A change made meanwhile by another client
 * is not overwritten: the form posts the entity tag it was shown.
 */
public final class ContactRoutes {

    /** Largest file an import reads. */
    static final int MAX_IMPORT = 16 * 1024 * 1024;

    /** Most people of the domain's address list one search shows. */
    static final int LISTED = 50;

    private final Mailboxes mailboxes;
    private final AddressBooks books;
    private final Directory directory;

    public ContactRoutes(Mailboxes mailboxes, AddressBooks books, Directory directory) {
        this.mailboxes = mailboxes;
        this.books = books;
        this.directory = directory;
    }

    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/contacts", this::list)
                .GET("/contacts/edit", this::edit)
                .POST("/contacts/save", this::save)
                .POST("/contacts/delete", this::delete)
                .POST("/contacts/import", this::importFile)
                .GET("/contacts/export", this::export)
                .build();
    }

    /** One row of the list. */
    public record Row(String name, String displayName, List<String> emails, boolean group, int members) { }

    private Mono<ServerResponse> list(ServerRequest request) {
        String query = request.queryParam("q").orElse("").strip();
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> books.contacts(context.user()
                        .accountId(), AddressBooks.DEFAULT).collectList().zipWith(listed(context.user().address(),
                        query)).flatMap(found -> {
                    List<Contact> contacts = found.getT1();
                    Map<String, Object> model = context.model();
                    model.put("listed", found.getT2());
                    String lower = query.toLowerCase(Locale.ROOT);
                    List<Row> rows = new ArrayList<>();
                    for (Contact contact : contacts) {
                        ContactCard card = contact.card();
                        if (!lower.isEmpty() && !card.displayName().toLowerCase(Locale.ROOT).contains(lower)
                                && card.emails().stream().noneMatch(e -> e.toLowerCase(Locale.ROOT).contains(lower))) {
                            continue;
                        }
                        boolean group = "group".equals(card.kind());
                        int members = group ? VCards.members(VCards.parseOne(card.vcard()).card()).size() : 0;
                        rows.add(new Row(contact.name(), card.displayName(), card.emails(), group, members));
                    }
                    rows.sort((a, b) -> a.displayName().compareToIgnoreCase(b.displayName()));
                    model.put("rows", rows);
                    model.put("query", query);
                    request.queryParam("imported").ifPresent(n -> model.put("imported", n));
                    request.queryParam("refused").ifPresent(n -> model.put("refused", n));
                    request.queryParam("saved").ifPresent(n -> model.put("saved", true));
                    return ServerResponse.ok().render("contacts", model);
                }));
    }

    /**
     * The people of the person's own domain matching {@code query}, when the domain lists them and a query is given:
     * display names and addresses only.
     */
    private Mono<List<ListedPerson>> listed(String ownAddress, String query) {
        if (query.isEmpty()) {
            return Mono.just(List.of());
        }
        String domain = ownAddress.substring(ownAddress.lastIndexOf('@') + 1);
        return directory.addressList(domain, query, LISTED).collectList();
    }

    private Mono<ServerResponse> edit(ServerRequest request) {
        Optional<String> name = request.queryParam("name").filter(AddressBooks::validName);
        boolean newGroup = request.queryParam("group").isPresent();
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            long account = context.user().accountId();
            Mono<Optional<Contact>> existing = name.isEmpty() ? Mono.just(Optional.empty())
                    : books.contact(account, AddressBooks.DEFAULT, name.get()).map(Optional::of)
                            .defaultIfEmpty(Optional.empty());
            return existing.zipWith(books.contacts(account, AddressBooks.DEFAULT).collectList())
                    .flatMap(found -> {
                        Map<String, Object> model = context.model();
                        Optional<Contact> contact = found.getT1();
                        if (name.isPresent() && contact.isEmpty()) {
                            return ServerResponse.notFound().build();
                        }
                        ParsedCard parsed = contact.map(c -> VCards.parseOne(c.vcard())).orElse(null);
                        boolean group = parsed != null ? parsed.group() : newGroup;
                        model.put("contactName", contact.map(Contact::name).orElse(""));
                        model.put("etag", contact.map(Contact::etag).orElse(""));
                        model.put("group", group);
                        model.put("form", parsed == null ? null : ContactForm.of(parsed));
                        model.put("people", people(found.getT2()));
                        return ServerResponse.ok().render("contact", model);
                    });
        });
    }

    /** The individual contacts, for a group's members: UID and display name. */
    private static List<Row> people(List<Contact> contacts) {
        List<Row> people = new ArrayList<>();
        for (Contact contact : contacts) {
            if (!"group".equals(contact.card().kind())) {
                people.add(new Row(contact.uid(), contact.card().displayName(), contact.emails(), false, 0));
            }
        }
        people.sort((a, b) -> a.displayName().compareToIgnoreCase(b.displayName()));
        return people;
    }

    private Mono<ServerResponse> save(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            long account = context.user().accountId();
            String name = Optional.ofNullable(form.getFirst("name")).orElse("");
            String etag = Optional.ofNullable(form.getFirst("etag")).orElse("");
            boolean group = "group".equals(form.getFirst("kind"));
            ContactForm fields;
            try {
                fields = fields(form);
            } catch (IllegalArgumentException refused) {
                return refusal(context.model(), refused.getMessage());
            }
            Mono<Optional<Contact>> existing = name.isEmpty() || !AddressBooks.validName(name)
                    ? Mono.just(Optional.empty())
                    : books.contact(account, AddressBooks.DEFAULT, name).map(Optional::of)
                            .defaultIfEmpty(Optional.empty());
            return existing.flatMap(found -> {
                VCard card = fields.applyTo(found.map(c -> VCards.parseOne(c.vcard()).card()).orElse(null), group);
                ParsedCard parsed = VCards.describe(card);
                VCardVersion version = card.getVersion() == VCardVersion.V3_0 ? VCardVersion.V3_0
                        : VCardVersion.V4_0;
                ContactCard stored = new ContactCard(parsed.uid() == null ? "" : parsed.uid(),
                        VCards.write(card, version), parsed.kind(), parsed.displayName(), parsed.emails());
                String resource = found.map(Contact::name)
                        .orElseGet(() -> AddressBookFiles.resourceName(stored.uid()));
                Precondition precondition = found.isPresent() ? new Precondition(etag.isEmpty() ? null : etag, false)
                        : new Precondition(null, true);
                return books.put(account, AddressBooks.DEFAULT, resource, stored, precondition)
                        .then(ServerResponse.seeOther(URI.create("/contacts?saved")).build())
                        .onErrorResume(ContactException.class, e -> refusal(context.model(),
                                e.reason() == ContactException.Reason.PRECONDITION_FAILED
                                        ? "changed meanwhile by another program: open it again" : e.getMessage()));
            });
        }));
    }

    private static ContactForm fields(MultiValueMap<String, String> form) {
        List<String> emails = Arrays.stream(Optional.ofNullable(form.getFirst("emails")).orElse("").split("[\\s,;]+"))
                .map(String::strip).filter(e -> !e.isEmpty()).distinct().toList();
        return new ContactForm(value(form, "displayName"), emails, value(form, "phone"), value(form, "organization"),
                value(form, "note"), form.getOrDefault("member", List.of()));
    }

    private static String value(MultiValueMap<String, String> form, String name) {
        return Optional.ofNullable(form.getFirst(name)).orElse("").replace("\r\n", "\n").strip();
    }

    private Mono<ServerResponse> delete(ServerRequest request) {
        return request.formData().flatMap(form -> MailRoutes.context(request, mailboxes, null).flatMap(context -> {
            String name = Optional.ofNullable(form.getFirst("name")).orElse("");
            String etag = form.getFirst("etag");
            if (!AddressBooks.validName(name)) {
                return refusal(context.model(), "no such contact");
            }
            return books.delete(context.user().accountId(), AddressBooks.DEFAULT, name,
                            etag == null || etag.isEmpty() ? null : etag)
                    .then(ServerResponse.seeOther(URI.create("/contacts?saved")).build())
                    .onErrorResume(ContactException.class, e -> refusal(context.model(),
                            e.reason() == ContactException.Reason.PRECONDITION_FAILED
                                    ? "changed meanwhile by another program: open it again" : e.getMessage()));
        }));
    }

    private Mono<ServerResponse> importFile(ServerRequest request) {
        return request.multipartData().flatMap(parts -> MailRoutes.context(request, mailboxes, null)
                .flatMap(context -> {
                    Part part = parts.getFirst("file");
                    if (!(part instanceof FilePart file)) {
                        return refusal(context.model(), "choose a file to import");
                    }
                    return DataBufferUtils.join(file.content(), MAX_IMPORT).map(buffer -> {
                                byte[] octets = new byte[buffer.readableByteCount()];
                                buffer.read(octets);
                                DataBufferUtils.release(buffer);
                                return octets;
                            })
                            .flatMap(octets -> AddressBookFiles.store(books, context.user().accountId(),
                                    AddressBookFiles.read(octets, AddressBookFiles.formatOf(file.filename())),
                                    refusal -> { }))
                            .flatMap(imported -> ServerResponse.seeOther(URI.create("/contacts?imported="
                                    + (imported.added() + imported.replaced()) + "&refused=" + imported.refused()))
                                    .build())
                            .onErrorResume(IllegalArgumentException.class, e -> refusal(context.model(),
                                    e.getMessage()))
                            .onErrorResume(org.springframework.core.io.buffer.DataBufferLimitException.class,
                                    e -> refusal(context.model(), "the file is larger than 16 MiB"));
                }));
    }

    private Mono<ServerResponse> export(ServerRequest request) {
        String format = request.queryParam("format").filter(AddressBookFiles.FORMATS::contains).orElse("vcard");
        return MailRoutes.context(request, mailboxes, null).flatMap(context -> books.contacts(context.user()
                .accountId(), AddressBooks.DEFAULT).collectList().flatMap(contacts -> {
                    String text = AddressBookFiles.write(contacts, format, VCardVersion.V3_0);
                    String extension = format.equals("vcard") ? "vcf" : format;
                    MediaType type = format.equals("vcard") ? MediaType.parseMediaType("text/vcard;charset=utf-8")
                            : format.equals("csv") ? MediaType.parseMediaType("text/csv;charset=utf-8")
                            : MediaType.parseMediaType("text/x-ldif;charset=utf-8");
                    return ServerResponse.ok().contentType(type)
                            .header("Content-Disposition", ContentDisposition.attachment()
                                    .filename("contacts." + extension).build().toString())
                            .bodyValue(text.getBytes(StandardCharsets.UTF_8));
                }));
    }

    private static Mono<ServerResponse> refusal(Map<String, Object> model, String message) {
        model.put("error", message);
        model.put("rows", List.of());
        model.put("listed", List.of());
        model.put("query", "");
        return ServerResponse.unprocessableEntity().render("contacts", model);
    }
}
