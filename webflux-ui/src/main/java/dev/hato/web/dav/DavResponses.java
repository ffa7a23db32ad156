package dev.hato.web.dav;

import dev.hato.contacts.InvalidCardException;
import dev.hato.store.contacts.ContactException;
import dev.hato.web.setup.Xml;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** The answers every DAV method shares: 207 with a body, and errors with their precondition elements. */
final class DavResponses {

    static final MediaType XML = MediaType.parseMediaType("application/xml; charset=utf-8");
    static final HttpStatusCode MULTI_STATUS = HttpStatusCode.valueOf(207);

    private DavResponses() { }

    static Mono<ServerResponse> multistatus(Multistatus body) {
        return ServerResponse.status(MULTI_STATUS).contentType(XML).bodyValue(body.build());
    }

    static Mono<ServerResponse> status(HttpStatus status) {
        return ServerResponse.status(status).build();
    }

    /** RFC 4918 §16: a failed precondition named in a {@code DAV:error} body. */
    static Mono<ServerResponse> precondition(HttpStatusCode status, String namespace, String condition, String inner) {
        return ServerResponse.status(status).contentType(XML)
                .bodyValue(Multistatus.error(namespace, condition, inner));
    }

    /** What an error of the store, the vCard parser or the XML parser means for the client of {@code path}. */
    static Mono<ServerResponse> failure(Throwable error, DavPath path) {
        if (error instanceof DavXml.BadRequest) {
            return ServerResponse.badRequest().contentType(MediaType.TEXT_PLAIN).bodyValue(error.getMessage());
        }
        if (error instanceof InvalidCardException) {
            return precondition(HttpStatus.FORBIDDEN, DavXml.CARDDAV, "valid-address-data", "");
        }
        if (error instanceof BodyTooLarge) {
            return precondition(HttpStatus.FORBIDDEN, DavXml.CARDDAV, "max-resource-size", "");
        }
        if (!(error instanceof ContactException)) {
            return Mono.error(error);
        }
        ContactException e = (ContactException) error;
        switch (e.reason()) {
            case NOT_FOUND:
                return status(HttpStatus.NOT_FOUND);
            case PRECONDITION_FAILED:
                return status(HttpStatus.PRECONDITION_FAILED);
            case UID_CONFLICT:
                String holder = e.conflict() == null ? "" : "<d:href>"
                        + Xml.escape(DavPath.contact(path.book(), e.conflict()).href()) + "</d:href>";
                return precondition(HttpStatus.CONFLICT, DavXml.CARDDAV, "no-uid-conflict", holder);
            case TOO_LARGE:
                return precondition(HttpStatus.FORBIDDEN, DavXml.CARDDAV, "max-resource-size", "");
            case TOO_MANY:
                return precondition(HttpStatus.INSUFFICIENT_STORAGE, DavXml.DAV, "quota-not-exceeded", "");
            case INVALID_TOKEN:
                return precondition(HttpStatus.FORBIDDEN, DavXml.DAV, "valid-sync-token", "");
            default:
                return status(HttpStatus.FORBIDDEN);
        }
    }

    /** A request body over the bound of its method. */
    static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge() {
            super("request body too large");
        }
    }
}
