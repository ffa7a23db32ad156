package dev.hato.web.status;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

class StatusRoutesTest {

    private final StatusReport report = new StatusReport("0.1.0", "mail.<example>", "embedded PostgreSQL",
            "self-signed", List.of(new StatusReport.Listener("smtp", "127.0.0.1:2525", "STARTTLS")), 2, 5,
            java.util.Map.of("credentialSources/ldap:\"campus\"", "DOWN (breaker=OPEN)"));

    @Test
    void statusPageShouldListListenersAndEscapeValues() {
        WebTestClient client = WebTestClient.bindToRouterFunction(StatusRoutes.details(() -> Mono.just(report)))
                .build();
        client.get().uri("/").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> {
                    org.assertj.core.api.Assertions.assertThat(body)
                            .contains("Hato is running", "127.0.0.1:2525", "STARTTLS", "2 domains, 5 accounts", "credentialSources/ldap:&quot;campus&quot;: DOWN (breaker=OPEN)",
                                    "mail.&lt;example&gt;")
                            .doesNotContain("mail.<example>");
                });
    }

    @Test
    void anAnonymousVisitorShouldSeeOnlyThatHatoRuns() {
        WebTestClient client = WebTestClient.bindToRouterFunction(StatusRoutes.publicRoutes()).build();

        client.get().uri("/").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> org.assertj.core.api.Assertions.assertThat(body)
                        .contains("Hato is running")
                        .doesNotContain("0.1.0", "2525", "PostgreSQL", "accounts", "domains", "example", "campus"));
    }

    @Test
    void healthShouldBeLeftToTheGatewaysHealthContributors() {
        // No second, hand-written health: /actuator/health and the public /health group answer it (gateway).
        WebTestClient.bindToRouterFunction(StatusRoutes.details(() -> Mono.just(report))).build()
                .get().uri("/health").exchange().expectStatus().isNotFound();
        WebTestClient.bindToRouterFunction(StatusRoutes.publicRoutes()).build()
                .get().uri("/health").exchange().expectStatus().isNotFound();
    }
}
