package dev.hato.app;

import dev.hato.web.status.StatusRoutes;
import dev.hato.web.status.StatusSource;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The operators' status page and detailed health, served only on the management listener
 * ({@code hato.ports.management} on {@code hato.management-address}, 127.0.0.1 by default) beside the actuator
 * endpoints: Spring Boot builds that listener as a child context, and only routes declared in such a child
 * configuration are served there (listed in META-INF/spring/...ManagementContextConfiguration.imports).
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
public class ManagementRoutes {

    @Bean
    RouterFunction<ServerResponse> statusDetails(StatusSource statusSource) {
        return StatusRoutes.details(statusSource);
    }
}
