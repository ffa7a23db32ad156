package dev.hato.web.status;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** {@code GET /} renders the status page, {@code GET /health} answers JSON for monitoring. */
public final class StatusRoutes {

    private StatusRoutes() { }

    public static RouterFunction<ServerResponse> routes(StatusSource source) {
        return route()
                .GET("/", request -> source.report().flatMap(report -> ServerResponse.ok()
                        .contentType(MediaType.TEXT_HTML)
                        .bodyValue(StatusPage.render(report))))
                .GET("/health", request -> source.report()
                        .flatMap(report -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .bodyValue("{\"status\":\"UP\",\"domains\":" + report.domains()
                                        + ",\"accounts\":" + report.accounts() + "}"))
                        .onErrorResume(error -> ServerResponse.status(503).contentType(MediaType.APPLICATION_JSON)
                                .bodyValue("{\"status\":\"DOWN\"}")))
                .build();
    }
}
