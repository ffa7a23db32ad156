package dev.hato.web.login;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.web.page.PageModel;
import java.net.URI;
import java.util.Map;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The login form. The form is posted to {@code /login} and handled by {@link LoginFilter}; {@code POST /logout} by
 * Spring Security. {@code ?error=} and {@code ?logout} choose the message shown above the form.
 */
public final class LoginRoutes {

    private static final Map<String, String> MESSAGES = Map.of(
            "failed", "login.failed",
            "address", "login.address",
            "unavailable", "login.unavailable");

    private LoginRoutes() { }

    public static RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/", request -> ServerResponse.seeOther(URI.create("/mail")).build())
                .GET("/login", LoginRoutes::form)
                .build();
    }

    private static Mono<ServerResponse> form(ServerRequest request) {
        return PageModel.user(request)
                .flatMap(user -> ServerResponse.seeOther(URI.create("/mail")).build())
                .switchIfEmpty(Mono.defer(() -> PageModel.of(request).flatMap(model -> {
                    request.queryParam("error").map(MESSAGES::get).ifPresent(key -> model.put("error", key));
                    if (request.queryParam("logout").isPresent()) {
                        model.put("notice", "login.loggedOut");
                    }
                    return ServerResponse.ok().render("login", model);
                })));
    }
}
