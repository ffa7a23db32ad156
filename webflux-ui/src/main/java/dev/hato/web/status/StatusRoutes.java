package dev.hato.web.status;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Two faces of the same facts. {@link #publicRoutes} is for anyone who can reach the HTTP port: {@code GET /} says
 * that Hato runs. {@link #details} is for operators, on the management listener (127.0.0.1 by default): the status
 * page with version, store, listeners, counts and the state of every credential source. A stranger learns neither
 * the data directory, the database port, the version nor how many accounts there are. Health is not answered here:
 * the gateway's health contributors answer {@code /actuator/health} on the management listener, and the public
 * {@code /health} (up or down only) is a group of the same health (docs/operations.md, "Monitoring").
 */
public final class StatusRoutes {

    private StatusRoutes() { }

    /** What anyone may see: that Hato runs, nothing else. */
    public static RouterFunction<ServerResponse> publicRoutes() {
        return route()
                .GET("/", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .bodyValue("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hato"
                                + "</title></head><body>\n<h1>Hato is running</h1>\n</body></html>\n"))
                .build();
    }

    /** What operators see on the management listener. */
    public static RouterFunction<ServerResponse> details(StatusSource source) {
        return route()
                .GET("/", request -> source.report().flatMap(report -> ServerResponse.ok()
                        .contentType(MediaType.TEXT_HTML)
                        .bodyValue(StatusPage.render(report))))
                .build();
    }
}
