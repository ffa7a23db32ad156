package dev.hato.web.status;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Mono;

class StatusRoutesTest {

    private final StatusReport report = new StatusReport("0.1.0", "mail.<example>", "embedded PostgreSQL",
            "self-signed", List.of(new StatusReport.Listener("smtp", "127.0.0.1:2525", "STARTTLS")), 2, 5,
            java.util.Map.of("local", "CLOSED", "ldap:\"campus\"", "OPEN"));

    @Test
    void statusPageShouldListListenersAndEscapeValues() {
        WebTestClient client = WebTestClient.bindToRouterFunction(StatusRoutes.details(() -> Mono.just(report)))
                .build();
        client.get().uri("/").exchange()
                .expectStatus().isOk()
                .expectBody(String.class).value(body -> {
                    org.assertj.core.api.Assertions.assertThat(body)
                            .contains("Hato is running", "127.0.0.1:2525", "STARTTLS", "2 domains, 5 accounts", "ldap:&quot;campus&quot;: OPEN",
                                    "mail.&lt;example&gt;")
                            .doesNotContain("mail.<example>");
                });
    }

    @Test
    void anAnonymousVisitorShouldSeeOnlyWhetherHatoIsUp() {
        WebTestClient client = WebTestClient.bindToRouterFunction(StatusRoutes.publicRoutes(() -> Mono.just(report)))
                .build();

        client.get().uri("/health").exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("{\"status\":\"UP\"}");
        client.get().uri("/").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> org.assertj.core.api.Assertions.assertThat(body)
                        .contains("Hato is running")
                        .doesNotContain("0.1.0", "2525", "PostgreSQL", "accounts", "domains", "example", "campus"));
    }

    @Test
    void thePublicHealthShouldReportDownWithoutDetailsWhenTheStoreFails() {
        WebTestClient client = WebTestClient.bindToRouterFunction(
                StatusRoutes.publicRoutes(() -> Mono.error(new IllegalStateException("db down at /var/hato")))).build();
        client.get().uri("/health").exchange().expectStatus().isEqualTo(503)
                .expectBody(String.class).isEqualTo("{\"status\":\"DOWN\"}");
    }

    @Test
    void thePublicHealthShouldAskTheStoreOnceForManyRequests() {
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        StatusSource counting = new StatusSource() {
            @Override
            public Mono<StatusReport> report() {
                return Mono.just(report);
            }

            @Override
            public Mono<Void> alive() {
                looks.incrementAndGet();
                return Mono.empty();
            }
        };
        WebTestClient client = WebTestClient.bindToRouterFunction(
                StatusRoutes.publicRoutes(counting, java.time.Duration.ofHours(1))).build();
        for (int i = 0; i < 20; i++) {
            client.get().uri("/health").exchange().expectStatus().isOk();
        }
        org.assertj.core.api.Assertions.assertThat(looks).hasValue(1);
    }

    @Test
    void healthShouldReportDownWhenTheStoreFails() {
        WebTestClient client = WebTestClient.bindToRouterFunction(
                StatusRoutes.details(() -> Mono.error(new IllegalStateException("db down")))).build();
        client.get().uri("/health").exchange().expectStatus().isEqualTo(503)
                .expectBody(String.class).isEqualTo("{\"status\":\"DOWN\"}");
    }

    @Test
    void healthShouldReportUpWithCounts() {
        WebTestClient client = WebTestClient.bindToRouterFunction(StatusRoutes.details(() -> Mono.just(report)))
                .build();
        client.get().uri("/health").exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("{\"status\":\"UP\",\"domains\":2,\"accounts\":5,"
                        + "\"auth\":{\"ldap:\\\"campus\\\"\":\"OPEN\",\"local\":\"CLOSED\"}}");
    }
}
