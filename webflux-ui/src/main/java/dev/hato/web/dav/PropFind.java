package dev.hato.web.dav;

import dev.hato.store.contacts.AddressBooks;
import dev.hato.web.login.WebUser;
import java.util.Map;
import javax.xml.namespace.QName;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.w3c.dom.Element;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * PROPFIND (RFC 4918 §9.1) over the tree of {@link DavPath}: Depth 0 or 1; Depth infinity (also the default when the
 * header is missing) is refused with {@code propfind-finite-depth}, as §9.1 allows.
 */
final class PropFind {

    /** One resource of the answer: where it is and its live properties. */
    private record Resource(String href, Map<QName, String> properties) { }

    private final AddressBooks books;

    PropFind(AddressBooks books) {
        this.books = books;
    }

    Mono<ServerResponse> handle(WebUser user, DavPath path, @Nullable String depthHeader, @Nullable Element body) {
        int depth = "0".equals(depthHeader) ? 0 : "1".equals(depthHeader) ? 1 : -1;
        if (depth < 0) {
            return DavResponses.precondition(HttpStatus.FORBIDDEN, DavXml.DAV, "propfind-finite-depth", "");
        }
        PropRequest request = body == null || DavXml.child(body, DavXml.DAV, "prop") == null ? PropRequest.ALL
                : PropRequest.of(body);
        return self(user, path, request)
                .flatMap(self -> (depth == 0 ? Flux.<Resource>empty() : children(user, path, request))
                        .collectList()
                        .flatMap(children -> {
                            Multistatus status = new Multistatus();
                            request.respond(status, self.href(), self.properties());
                            children.forEach(child -> request.respond(status, child.href(), child.properties()));
                            return DavResponses.multistatus(status);
                        }))
                .switchIfEmpty(Mono.defer(() -> DavResponses.status(HttpStatus.NOT_FOUND)));
    }

    private Mono<Resource> self(WebUser user, DavPath path, PropRequest request) {
        switch (path.kind()) {
            case CONTEXT:
                return Mono.just(new Resource(path.href(), Properties.collection()));
            case PRINCIPAL:
                return Mono.just(new Resource(path.href(), Properties.principal(user)));
            case HOME:
                return Mono.just(new Resource(path.href(), Properties.collection()));
            case BOOK:
                return books.book(user.accountId(), path.book())
                        .map(book -> new Resource(path.href(), Properties.book(book)));
            default:
                return books.contact(user.accountId(), path.book(), path.name())
                        .map(contact -> new Resource(path.href(), AddressData.properties(contact, request)));
        }
    }

    private Flux<Resource> children(WebUser user, DavPath path, PropRequest request) {
        switch (path.kind()) {
            case CONTEXT:
                return Flux.just(new Resource(DavPath.PRINCIPAL, Properties.principal(user)),
                        new Resource(DavPath.HOME, Properties.collection()));
            case HOME:
                return books.books(user.accountId())
                        .map(book -> new Resource(DavPath.book(book.name()).href(), Properties.book(book)));
            case BOOK:
                return books.contacts(user.accountId(), path.book())
                        .map(contact -> new Resource(DavPath.contact(path.book(), contact.name()).href(),
                                AddressData.properties(contact, request)));
            default:
                return Flux.empty();
        }
    }
}
