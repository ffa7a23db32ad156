package dev.hato.web.status;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.time.Duration;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Two faces of the same facts. {@link #publicRoutes} is for anyone who can reach the HTTP port: {@code GET /health}
 * answers only UP (200) or DOWN (503), as Spring Boot's health endpoint does with {@code show-details=never}, and
 * {@code GET /} says that Hato runs. {@link #details} is for operators, on the management listener (127.0.0.1 by
 * default): the status page with version, store, listeners and counts, and a health answer with counts and the state
 * of every credential source. A stranger learns neither the data directory, the database port, the version nor how
 * many accounts there are.
 */
public final class StatusRoutes {

    private static final String UP = "{\"status\":\"UP\"}";
    private static final String DOWN = "{\"status\":\"DOWN\"}";

    private StatusRoutes() { }

    /** How long one answer of the store serves the public health check. */
    static final Duration HEALTH_CHECK_REUSE = Duration.ofSeconds(2);
    /** A store that does not answer in this time is reported DOWN. */
    private static final Duration HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(5);

    /** What anyone may see: up or down, nothing else. */
    public static RouterFunction<ServerResponse> publicRoutes(StatusSource source) {
        return publicRoutes(source, HEALTH_CHECK_REUSE);
    }

    /**
     * @param reuse how long one look at the store answers every public health request: anyone can ask as often as
     *              they like, and the store's connections are for mail
     */
    static RouterFunction<ServerResponse> publicRoutes(StatusSource source, Duration reuse) {
        Mono<Boolean> up = Mono.defer(source::alive).thenReturn(true)
                .timeout(HEALTH_CHECK_TIMEOUT, Mono.just(false))
                .onErrorReturn(false)
                .cache(reuse);
        return route()
                .GET("/", request -> ServerResponse.ok().contentType(MediaType.TEXT_HTML)
                        .bodyValue("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hato"
                                + "</title></head><body>\n<h1>Hato is running</h1>\n</body></html>\n"))
                .GET("/health", request -> up.flatMap(alive -> alive
                        ? ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(UP)
                        : down()))
                .build();
    }

    /** What operators see on the management listener. */
    public static RouterFunction<ServerResponse> details(StatusSource source) {
        return route()
                .GET("/", request -> source.report().flatMap(report -> ServerResponse.ok()
                        .contentType(MediaType.TEXT_HTML)
                        .bodyValue(StatusPage.render(report))))
                .GET("/health", request -> source.report()
                        .flatMap(report -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON)
                                .bodyValue(health(report)))
                        .onErrorResume(error -> down()))
                .build();
    }

    private static Mono<ServerResponse> down() {
        return ServerResponse.status(503).contentType(MediaType.APPLICATION_JSON).bodyValue(DOWN);
    }

    /** Mail keeps flowing while an auth source is down, so the status stays UP and the source shows its state. */
    static String health(StatusReport report) {
        StringBuilder json = new StringBuilder("{\"status\":\"UP\",\"domains\":").append(report.domains())
                .append(",\"accounts\":").append(report.accounts()).append(",\"auth\":{");
        String separator = "";
        for (var entry : report.authSources().entrySet()) {
            json.append(separator).append('"').append(jsonEscape(entry.getKey())).append("\":\"")
                    .append(jsonEscape(entry.getValue())).append('"');
            separator = ",";
        }
        return json.append("}}").toString();
    }

    private static String jsonEscape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
