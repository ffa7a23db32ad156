package dev.hato.web.dav;

import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.store.contacts.ContactChanges;
import dev.hato.web.login.WebUser;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.w3c.dom.Element;
import reactor.core.publisher.Mono;

/**
 * The REPORTs of an address book: addressbook-multiget (RFC 6352 §8.7), addressbook-query (§8.6, with
 * {@link CardFilter} and {@code CARDDAV:limit}) and sync-collection (RFC 6578 §3.2, sync-level 1; a book has no
 * collections inside, so infinite is the same; {@code DAV:limit} is not honoured: every change is reported at once).
 */
final class Reports {

    /** Most hrefs one multiget may name. */
    static final int MAX_HREFS = AddressBooks.MAX_CONTACTS;

    private final AddressBooks books;

    Reports(AddressBooks books) {
        this.books = books;
    }

    Mono<ServerResponse> handle(WebUser user, DavPath path, @Nullable Element report) {
        if (report == null) {
            return Mono.error(new DavXml.BadRequest("a REPORT needs a body"));
        }
        if (path.kind() != DavPath.Kind.BOOK) {
            return DavResponses.precondition(HttpStatus.FORBIDDEN, DavXml.DAV, "supported-report", "");
        }
        if (DavXml.is(report, DavXml.CARDDAV, "addressbook-multiget")) {
            return multiget(user, path, report);
        }
        if (DavXml.is(report, DavXml.CARDDAV, "addressbook-query")) {
            return query(user, path, report);
        }
        if (DavXml.is(report, DavXml.DAV, "sync-collection")) {
            return sync(user, path, report);
        }
        return DavResponses.precondition(HttpStatus.FORBIDDEN, DavXml.DAV, "supported-report", "");
    }

    private Mono<ServerResponse> multiget(WebUser user, DavPath book, Element report) {
        PropRequest request = PropRequest.of(report);
        Map<String, String> hrefs = new LinkedHashMap<>();
        for (Element child : DavXml.children(report)) {
            if (DavXml.is(child, DavXml.DAV, "href")) {
                String href = child.getTextContent().strip();
                DavPath target = DavPath.parse(href);
                hrefs.put(href, target != null && target.kind() == DavPath.Kind.CONTACT
                        && target.book().equals(book.book()) ? target.name() : "");
            }
        }
        if (hrefs.size() > MAX_HREFS) {
            return Mono.error(new DavXml.BadRequest("at most " + MAX_HREFS + " hrefs in one multiget"));
        }
        return books.contacts(user.accountId(), book.book(), new ArrayList<>(hrefs.values()))
                .collectMap(Contact::name)
                .flatMap(found -> {
                    Multistatus status = new Multistatus();
                    hrefs.forEach((href, name) -> {
                        Contact contact = found.get(name);
                        if (contact == null) {
                            status.status(href, "404 Not Found");
                        } else {
                            request.respond(status, href, AddressData.properties(contact, request));
                        }
                    });
                    return DavResponses.multistatus(status);
                });
    }

    private Mono<ServerResponse> query(WebUser user, DavPath book, Element report) {
        PropRequest request = PropRequest.of(report);
        CardFilter filter = CardFilter.parse(DavXml.child(report, DavXml.CARDDAV, "filter"));
        int limit = limit(report);
        return books.book(user.accountId(), book.book())
                .flatMap(found -> books.contacts(user.accountId(), book.book())
                        .filter(contact -> filter.matches(contact.vcard()))
                        .take(limit + 1L)
                        .collectList())
                .flatMap(matches -> {
                    Multistatus status = new Multistatus();
                    matches.stream().limit(limit).forEach(contact -> request.respond(status,
                            DavPath.contact(book.book(), contact.name()).href(),
                            AddressData.properties(contact, request)));
                    if (matches.size() > limit) {
                        // RFC 6352 §8.6.1: the request-URI reported with 507 when the result was truncated.
                        status.status(book.href(), "507 Insufficient Storage");
                    }
                    return DavResponses.multistatus(status);
                })
                .switchIfEmpty(Mono.defer(() -> DavResponses.status(HttpStatus.NOT_FOUND)));
    }

    private static int limit(Element report) {
        Element limit = DavXml.child(report, DavXml.CARDDAV, "limit");
        Element n = limit == null ? null : DavXml.child(limit, DavXml.CARDDAV, "nresults");
        if (n == null) {
            return Integer.MAX_VALUE - 1;
        }
        try {
            return Math.max(0, Math.min(Integer.parseInt(n.getTextContent().strip()), Integer.MAX_VALUE - 1));
        } catch (NumberFormatException e) {
            throw new DavXml.BadRequest("nresults is not a number");
        }
    }

    private Mono<ServerResponse> sync(WebUser user, DavPath book, Element report) {
        Element tokenElement = DavXml.child(report, DavXml.DAV, "sync-token");
        Long since = SyncToken.parse(tokenElement == null ? null : tokenElement.getTextContent());
        if (since == null) {
            return DavResponses.precondition(HttpStatus.FORBIDDEN, DavXml.DAV, "valid-sync-token", "");
        }
        PropRequest request = PropRequest.of(report);
        return books.changes(user.accountId(), book.book(), since)
                .flatMap(changes -> DavResponses.multistatus(changed(book, changes, request)));
    }

    private static Multistatus changed(DavPath book, ContactChanges changes, PropRequest request) {
        Multistatus status = new Multistatus();
        for (Contact contact : changes.changed()) {
            request.respond(status, DavPath.contact(book.book(), contact.name()).href(),
                    AddressData.properties(contact, request));
        }
        for (String name : changes.removed()) {
            status.status(DavPath.contact(book.book(), name).href(), "404 Not Found");
        }
        return status.syncToken(SyncToken.of(changes.syncToken()));
    }
}
