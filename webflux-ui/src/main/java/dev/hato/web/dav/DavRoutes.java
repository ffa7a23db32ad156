package dev.hato.web.dav;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import dev.hato.store.contacts.AddressBooks;
import dev.hato.web.login.WebUser;
import dev.hato.web.page.PageModel;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * CardDAV's routes: {@code /.well-known/carddav} redirects to the context path (RFC 6764 §5), and every request under
 * {@code /dav/} is dispatched by method. Request bodies are bounded: a vCard by the store's limit, XML by
 * {@link #MAX_XML}.
 */
public final class DavRoutes {

    static final String WELL_KNOWN = "/.well-known/carddav";
    /** Largest XML request body: a multiget naming every contact of a full book fits. */
    static final int MAX_XML = 1024 * 1024;
    private static final String METHODS = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, REPORT";

    private final PropFind propFind;
    private final Reports reports;
    private final ContactResources resources;

    public DavRoutes(AddressBooks books) {
        this.propFind = new PropFind(books);
        this.reports = new Reports(books);
        this.resources = new ContactResources(books);
    }

    public RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route(path(WELL_KNOWN),
                        request -> ServerResponse.status(HttpStatus.MOVED_PERMANENTLY)
                                .location(URI.create(DavPath.CONTEXT)).build())
                .andRoute(path("/dav").or(path("/dav/**")), this::dispatch);
    }

    private Mono<ServerResponse> dispatch(ServerRequest request) {
        DavPath path = DavPath.parse(request.path());
        if (path == null) {
            return DavResponses.status(HttpStatus.NOT_FOUND);
        }
        return PageModel.user(request)
                .flatMap(user -> method(request, user, path))
                .switchIfEmpty(Mono.defer(() -> DavResponses.status(HttpStatus.UNAUTHORIZED)))
                .onErrorResume(error -> DavResponses.failure(error, path));
    }

    private Mono<ServerResponse> method(ServerRequest request, WebUser user, DavPath path) {
        switch (request.method().name()) {
            case "OPTIONS":
                return ServerResponse.ok().header("DAV", "1, 3, addressbook").header("Allow", METHODS).build();
            case "PROPFIND":
                return Bodies.read(request, MAX_XML).flatMap(body -> propFind.handle(user, path,
                        request.headers().firstHeader("Depth"), DavXml.parse(body)));
            case "REPORT":
                return Bodies.read(request, MAX_XML).flatMap(body -> reports.handle(user, path, DavXml.parse(body)));
            case "GET":
            case "HEAD":
                return resources.get(request, user, path);
            case "PUT":
                return resources.put(request, user, path);
            case "DELETE":
                return resources.delete(request, user, path);
            case "PROPPATCH":
            case "MKCOL":
                // Books are not made, renamed or described by clients: everyone has the one default book.
                return DavResponses.status(HttpStatus.FORBIDDEN);
            default:
                return ServerResponse.status(HttpStatus.METHOD_NOT_ALLOWED).header("Allow", METHODS).build();
        }
    }
}
