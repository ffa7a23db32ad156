package dev.hato.auth.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hato.auth.CredentialSourceException;
import dev.hato.store.directory.Account;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.test.StepVerifier;

/** Against a portal played by a Reactor Netty server on loopback, one path per behaviour. */
class HttpCredentialSourceTest {

    private static final Duration TIMEOUT = Duration.ofMillis(800);
    /** Timings are asserted only as "within the configured timeout plus this margin". */
    private static final Duration MARGIN = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Account ANN = new Account(1, 1, "ann@uni.example.org", "abcd.e.fg-x7q2", "Ann", null);

    private static DisposableServer portal;
    private static final List<JsonNode> REQUESTS = new CopyOnWriteArrayList<>();
    private static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startPortal() {
        portal = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .route(routes -> routes
                        .post("/check", HttpCredentialSourceTest::check)
                        .post("/renamed", (request, response) -> json(response, 200,
                                "{\"valid\": true}"))
                        .post("/unauthorized", (request, response) -> json(response, 401, "{}"))
                        .post("/forbidden", (request, response) -> json(response, 403, ""))
                        .post("/broken", (request, response) -> json(response, 500, "{\"error\": \"db\"}"))
                        .post("/missing", (request, response) -> json(response, 404, "{}"))
                        .post("/malformed", (request, response) -> json(response, 200, "{\"ok\": tru"))
                        .post("/not-boolean", (request, response) -> json(response, 200, "{\"ok\": \"yes\"}"))
                        .post("/array", (request, response) -> json(response, 200, "[true]"))
                        .post("/huge", (request, response) -> json(response, 200,
                                "{\"ok\": true, \"pad\": \"" + "x".repeat(100_000) + "\"}"))
                        .post("/hang", (request, response) -> Mono.never()))
                .bindNow();
    }

    @AfterAll
    static void stopPortal() {
        portal.disposeNow();
    }

    /** The portal: "right horse" is the password of abcd.e.fg-x7q2. */
    private static org.reactivestreams.Publisher<Void> check(HttpServerRequest request, HttpServerResponse response) {
        String authorization = request.requestHeaders().get("Authorization");
        AUTHORIZATIONS.add(authorization == null ? "" : authorization);
        return request.receive().aggregate().asString().flatMap(body -> {
            JsonNode json;
            try {
                json = JSON.readTree(body);
            } catch (IOException e) {
                return Mono.from(json(response, 400, "{}"));
            }
            REQUESTS.add(json);
            boolean ok = "abcd.e.fg-x7q2".equals(json.path("authId").asText())
                    && "right horse".equals(json.path("password").asText());
            return Mono.from(json(response, 200, "{\"ok\": " + ok + ", \"note\": \"extra fields are ignored\"}"));
        });
    }

    private static org.reactivestreams.Publisher<Void> json(HttpServerResponse response, int status, String body) {
        return response.status(HttpResponseStatus.valueOf(status))
                .header("Content-Type", "application/json")
                .sendString(Mono.just(body));
    }

    private static HttpCredentialSource source(String path) {
        return new HttpCredentialSource(settings(path));
    }

    private static HttpSourceSettings settings(String path) {
        return HttpSourceSettings.defaults("portal", URI.create("http://127.0.0.1:" + portal.port() + path))
                .withTimeout(TIMEOUT);
    }

    private static void expect(Mono<Boolean> answer, boolean expected) {
        StepVerifier.create(answer).expectNext(expected).expectComplete().verify(TIMEOUT.plus(MARGIN));
    }

    private static void expectError(Mono<Boolean> answer) {
        StepVerifier.create(answer).expectError(CredentialSourceException.class).verify(TIMEOUT.plus(MARGIN));
    }

    @Test
    void theRightPasswordShouldBeAcceptedAndAWrongOneRefused() {
        HttpCredentialSource source = source("/check");
        assertThat(source.name()).isEqualTo("http:portal");
        expect(source.verify(ANN, "right horse"), true);
        expect(source.verify(ANN, "wrong horse"), false);
    }

    @Test
    void theRequestShouldBeJsonWithAuthIdAndPasswordAndTheConfiguredToken() {
        REQUESTS.clear();
        AUTHORIZATIONS.clear();
        HttpCredentialSource source = new HttpCredentialSource(settings("/check").withBearerToken("hato-portal-key"));
        expect(source.verify(ANN, "pass \"with\" quotes\\ and ünïcode"), false);
        assertThat(REQUESTS).singleElement().satisfies(json -> {
            assertThat(json.path("authId").asText()).isEqualTo("abcd.e.fg-x7q2");
            assertThat(json.path("password").asText()).isEqualTo("pass \"with\" quotes\\ and ünïcode");
        });
        assertThat(AUTHORIZATIONS).containsExactly("Bearer hato-portal-key");
    }

    @Test
    void fieldNamesShouldBeConfigurable() {
        HttpCredentialSource source = new HttpCredentialSource(settings("/renamed").withFields("user", "secret",
                "valid"));
        expect(source.verify(ANN, "anything"), true);
        expectError(source("/renamed").verify(ANN, "anything"));
    }

    @Test
    void unauthorizedAndForbiddenShouldMeanAWrongPassword() {
        expect(source("/unauthorized").verify(ANN, "right horse"), false);
        expect(source("/forbidden").verify(ANN, "right horse"), false);
    }

    @Test
    void anEmptyPasswordShouldBeRefusedWithoutAsking() {
        expect(source("/broken").verify(ANN, ""), false);
    }

    @Test
    void serverErrorsAndOtherStatusesShouldBeErrorsNeverAWrongPassword() {
        expectError(source("/broken").verify(ANN, "right horse"));
        expectError(source("/missing").verify(ANN, "right horse"));
    }

    @Test
    void answersThatAreNotTheExpectedJsonShouldBeErrors() {
        expectError(source("/malformed").verify(ANN, "right horse"));
        expectError(source("/not-boolean").verify(ANN, "right horse"));
        expectError(source("/array").verify(ANN, "right horse"));
        expectError(source("/huge").verify(ANN, "right horse"));
    }

    @Test
    void aHangingPortalShouldBeAnErrorWithinTheTimeout() {
        expectError(source("/hang").verify(ANN, "right horse"));
    }

    @Test
    void aRefusedConnectionShouldBeAnError() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }
        HttpCredentialSource source = new HttpCredentialSource(HttpSourceSettings.defaults("portal",
                URI.create("http://127.0.0.1:" + closed + "/check")).withTimeout(TIMEOUT));
        expectError(source.verify(ANN, "right horse"));
    }

    @Test
    void settingsShouldRejectNonsenseAndNeverPrintTheToken() {
        URI url = URI.create("https://portal.example.org/check");
        assertThatIllegalArgumentException().isThrownBy(() -> HttpSourceSettings.defaults("portal",
                URI.create("ftp://portal.example.org/")));
        assertThatIllegalArgumentException().isThrownBy(() -> HttpSourceSettings.defaults("portal", url)
                .withTimeout(Duration.ZERO));
        assertThatIllegalArgumentException().isThrownBy(() -> HttpSourceSettings.defaults("portal", url)
                .withBearerToken("two words"));
        assertThatIllegalArgumentException().isThrownBy(() -> HttpSourceSettings.defaults("portal", url)
                .withFields("same", "same", "ok"));
        assertThatIllegalArgumentException().isThrownBy(() -> HttpSourceSettings.defaults("", url));
        assertThat(HttpSourceSettings.defaults("portal", url).withBearerToken("s3cr3t-token").toString())
                .doesNotContain("s3cr3t-token");
        HttpSourceSettings defaults = HttpSourceSettings.defaults("portal", url);
        assertThat(List.of(defaults.authIdField(), defaults.passwordField(), defaults.okField()))
                .containsExactly("authId", "password", "ok");
        assertThat(defaults.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.bearerToken()).isNull();
    }
}
