package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The probe of the talkative status page, over real HTTP: an anonymous client on the HTTP port learns that Hato is
 * up and nothing else (no data path, database port, version, disk or counts); the details are on the management
 * listener, bound to 127.0.0.1.
 */
class StatusExposureTest {

    private final RunningHato hato = RunningHato.shared();

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAnonymousClientShouldLearnOnlyWhetherHatoIsUp() throws Exception {
        String dataDir = hato.dataDir().toString();

        HttpResponse<String> health = get(hato.httpPort(), "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"UP\"}");

        HttpResponse<String> page = get(hato.httpPort(), "/");
        assertThat(page.body()).contains("Hato is running")
                .doesNotContain(dataDir, GatewayStatus.VERSION, "accounts", "domains", "PostgreSQL",
                        String.valueOf(hato.port("smtp")));
        for (String path : new String[] {"/actuator/health", "/actuator/metrics", "/actuator/prometheus"}) {
            HttpResponse<String> actuator = get(hato.httpPort(), path);
            assertThat(actuator.statusCode()).as(path).isEqualTo(404);
            assertThat(actuator.body()).as(path).doesNotContain(dataDir, "diskSpace", "accounts");
        }
    }

    @Test
    void theManagementListenerShouldGiveOperatorsTheDetailsOnLoopbackOnly() throws Exception {
        int management = hato.managementPort();
        assertThat(management).isPositive().isNotEqualTo(hato.httpPort());

        assertThat(get(management, "/").body()).contains(GatewayStatus.VERSION, "accounts",
                String.valueOf(hato.port("smtp")));
        assertThat(get(management, "/actuator/health").body()).contains("\"status\":\"UP\"", "diskSpace",
                "\"store\":", "\"outboundQueue\":", "\"credentialSources\":");
        try (java.net.Socket elsewhere = new java.net.Socket()) {
            // Bound to 127.0.0.1 only: not reachable on another loopback address, let alone another interface.
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> elsewhere.connect(
                    new java.net.InetSocketAddress("127.0.0.2", management), 2000)))
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}
