package dev.hato.web.dav;

import dev.hato.contacts.ParsedCard;
import dev.hato.contacts.VCards;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.ContactCard;
import dev.hato.store.contacts.Precondition;
import dev.hato.web.login.WebUser;
import ezvcard.VCardVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * GET, PUT and DELETE of {@code .vcf} resources (RFC 6352 §6.3.2, RFC 9110's conditional requests). A PUT keeps the
 * vCard as sent, so its ETag is returned (§6.3.2.3 allows it only then). GET serves the stored text, or the version
 * an Accept header asks for ({@code text/vcard; version=3.0}, RFC 6350 §10.1); the ETag is the stored text's either
 * way. GET of a book serves all its vCards, one after the other.
 */
final class ContactResources {

    static final MediaType VCARD = MediaType.parseMediaType("text/vcard; charset=utf-8");
    private static final List<String> VCARD_TYPES = List.of("text/vcard", "text/x-vcard", "text/directory");

    private final AddressBooks books;

    ContactResources(AddressBooks books) {
        this.books = books;
    }

    Mono<ServerResponse> get(ServerRequest request, WebUser user, DavPath path) {
        VCardVersion version = accepted(request.headers().accept());
        if (path.kind() == DavPath.Kind.BOOK) {
            return books.book(user.accountId(), path.book())
                    .flatMap(book -> books.contacts(user.accountId(), path.book())
                            .map(contact -> version == null ? contact.vcard()
                                    : VCards.convert(contact.vcard(), version))
                            .collectList())
                    .flatMap(texts -> ServerResponse.ok().contentType(VCARD).bodyValue(String.join("", texts)))
                    .switchIfEmpty(Mono.defer(() -> DavResponses.status(HttpStatus.NOT_FOUND)));
        }
        if (path.kind() != DavPath.Kind.CONTACT) {
            return DavResponses.status(HttpStatus.METHOD_NOT_ALLOWED);
        }
        return books.contact(user.accountId(), path.book(), path.name())
                .flatMap(contact -> ServerResponse.ok().contentType(VCARD).eTag(contact.etag())
                        .bodyValue(version == null ? contact.vcard() : VCards.convert(contact.vcard(), version)))
                .switchIfEmpty(Mono.defer(() -> DavResponses.status(HttpStatus.NOT_FOUND)));
    }

    /** The vCard version an Accept header names, null when it names none. */
    private static @Nullable VCardVersion accepted(List<MediaType> accept) {
        for (MediaType type : accept) {
            if (type.getType().equals("text") && VCARD_TYPES.contains("text/" + type.getSubtype())) {
                VCardVersion version = VCards.version(type.getParameter("version"));
                if (version != null) {
                    return version;
                }
            }
        }
        return null;
    }

    Mono<ServerResponse> put(ServerRequest request, WebUser user, DavPath path) {
        if (path.kind() != DavPath.Kind.CONTACT) {
            return DavResponses.status(HttpStatus.METHOD_NOT_ALLOWED);
        }
        MediaType type = request.headers().contentType().orElse(null);
        if (type != null && !VCARD_TYPES.contains(type.getType().toLowerCase(Locale.ROOT) + "/"
                + type.getSubtype().toLowerCase(Locale.ROOT))) {
            return DavResponses.precondition(HttpStatus.FORBIDDEN, DavXml.CARDDAV, "supported-address-data", "");
        }
        HttpHeaders headers = request.headers().asHttpHeaders();
        Precondition precondition = new Precondition(headers.getFirst(HttpHeaders.IF_MATCH),
                "*".equals(headers.getFirst(HttpHeaders.IF_NONE_MATCH)));
        return Bodies.read(request, AddressBooks.MAX_VCARD_OCTETS)
                .map(bytes -> card(new String(bytes, StandardCharsets.UTF_8), path.name()))
                .flatMap(card -> books.put(user.accountId(), path.book(), path.name(), card, precondition))
                .flatMap(stored -> (stored.created() ? ServerResponse.status(HttpStatus.CREATED)
                        : ServerResponse.noContent()).eTag(stored.contact().etag()).build());
    }

    /** What the store keeps of an upload; a card without UID is known by its resource name. */
    static ContactCard card(String text, String resourceName) {
        ParsedCard parsed = VCards.parseOne(text);
        String uid = parsed.uid() != null ? parsed.uid()
                : resourceName.endsWith(".vcf") ? resourceName.substring(0, resourceName.length() - 4) : resourceName;
        return new ContactCard(uid, text, parsed.kind(), parsed.displayName(), parsed.emails());
    }

    Mono<ServerResponse> delete(ServerRequest request, WebUser user, DavPath path) {
        if (path.kind() != DavPath.Kind.CONTACT) {
            return DavResponses.status(HttpStatus.FORBIDDEN);
        }
        String ifMatch = request.headers().firstHeader(HttpHeaders.IF_MATCH);
        return books.delete(user.accountId(), path.book(), path.name(), ifMatch)
                .then(ServerResponse.noContent().build());
    }
}
