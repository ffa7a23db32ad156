package dev.hato.web.site;

import static org.springframework.web.reactive.function.server.RequestPredicates.path;

import java.net.URI;
import java.util.function.IntSupplier;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * On the plain HTTP port: the webmail's pages and CardDAV move to HTTPS (301 for GET and HEAD, 308 otherwise so a
 * form is not silently turned into a GET). Only these paths are redirected; {@code /health}, {@code /} and
 * autoconfig stay on plain HTTP, and anything else stays unknown there (404).
 */
public final class HttpsRedirect {

    /** The webmail's paths, and CardDAV's (a client that tries {@code http://HOST/.well-known/carddav} first). */
    static final String[] PATHS = {"/login", "/logout", "/mail", "/mail/**", "/setup", "/setup/**", "/webjars/**",
        "/static/**", "/autodiscover/autodiscover.xml", "/.well-known/carddav", "/dav", "/dav/**"};

    private HttpsRedirect() { }

    /**
     * @param hostName the host name to send people to when the request's Host is unusable
     * @param httpsPort the HTTPS port (read per request: in tests it is known only once bound)
     */
    public static RouterFunction<ServerResponse> routes(String hostName, IntSupplier httpsPort) {
        RouterFunctions.Builder builder = RouterFunctions.route();
        for (String webmail : PATHS) {
            builder.route(path(webmail), request -> redirect(request, hostName, httpsPort.getAsInt()));
        }
        return builder.build();
    }

    private static Mono<ServerResponse> redirect(ServerRequest request, String hostName, int port) {
        String host = host(request.headers().firstHeader("Host"), hostName);
        URI uri = request.uri();
        String target = "https://" + host + (port == 443 ? "" : ":" + port) + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        HttpStatus status = request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD
                ? HttpStatus.MOVED_PERMANENTLY : HttpStatus.PERMANENT_REDIRECT;
        return ServerResponse.status(status).location(URI.create(target)).build();
    }

    /** The host part of a Host header when it is a plain host name or IPv4 address, else {@code fallback}. */
    static String host(@org.jspecify.annotations.Nullable String header, String fallback) {
        if (header == null || header.isEmpty() || header.length() > 255) {
            return fallback;
        }
        int colon = header.indexOf(':');
        String host = colon < 0 ? header : header.substring(0, colon);
        if (host.isEmpty()) {
            return fallback;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.')) {
                return fallback;
            }
        }
        return host;
    }
}
