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
                                .bodyValue(health(report)))
                        .onErrorResume(error -> ServerResponse.status(503).contentType(MediaType.APPLICATION_JSON)
                                .bodyValue("{\"status\":\"DOWN\"}")))
                .build();
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
