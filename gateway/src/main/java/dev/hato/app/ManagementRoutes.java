package dev.hato.app;

import dev.hato.tls.ServerTls;
import dev.hato.web.status.StatusRoutes;
import dev.hato.web.status.StatusSource;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The operators' status page and detailed health, served only on the management listener
 * ({@code hato.ports.management} on {@code hato.management-address}, 127.0.0.1 by default) beside the actuator
 * endpoints: Spring Boot builds that listener as a child context, and only routes declared in such a child
 * configuration are served there (listed in META-INF/spring/...ManagementContextConfiguration.imports).
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class ManagementRoutes {

    /** Where {@code hato tls reload} posts: read the certificate files again now. */
    static final String TLS_RELOAD = "/tls/reload";

    @Bean
    RouterFunction<ServerResponse> statusDetails(StatusSource statusSource) {
        return StatusRoutes.details(statusSource);
    }

    /**
     * {@code POST /tls/reload}: reads every configured certificate's files now and serves what changed and is valid
     * ({@link ServerTls#reload()}); the answer is the report, one line per certificate: 200 when nothing was refused,
     * 422 when some new files were (the certificate loaded before is still served). Anyone who can reach the
     * management listener may ask: it only makes the server read the files it was configured with. The files are
     * read on a worker thread, never on the event loop.
     */
    @Bean
    RouterFunction<ServerResponse> tlsReload(ServerTls serverTls) {
        return RouterFunctions.route().POST(TLS_RELOAD, request -> Mono.fromCallable(serverTls::reload)
                .subscribeOn(Schedulers.boundedElastic())
                .flatMap(report -> ServerResponse.status(report.refused() ? HttpStatus.UNPROCESSABLE_ENTITY
                                : HttpStatus.OK)
                        .contentType(MediaType.TEXT_PLAIN)
                        .bodyValue(report + "\n")))
                .build();
    }
}
