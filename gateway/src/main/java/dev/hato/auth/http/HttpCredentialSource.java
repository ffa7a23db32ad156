package dev.hato.auth.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hato.auth.CredentialSource;
import dev.hato.auth.CredentialSourceException;
import dev.hato.auth.LimitedHttpBody;
import dev.hato.store.directory.Account;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletionException;
import reactor.core.publisher.Mono;

/**
 * Checks a password with an HTTP identity service: {@code POST <url>} with
 * {@code {"authId": "...", "password": "..."}} (field names configurable), answered by {@code 200} and
 * {@code {"ok": true}} or {@code {"ok": false}}. {@code 401} and {@code 403} also mean a wrong password. Anything
 * else — another status, a body that is not such JSON, more than 64 KiB, a refused connection, no complete answer
 * within the timeout — is an error: the portal could not answer.
 *
 * <p>Uses the JDK's {@link HttpClient} asynchronously ({@code sendAsync}): no thread waits for the portal, and no
 * Netty type reaches this capability package (the architecture test keeps {@code dev.hato.auth} free of them).
 * HTTP/1.1 only, as identity portals behind ordinary web servers expect.
 */
public final class HttpCredentialSource implements CredentialSource {

    /** A yes or no is a few bytes; anything this large is not the portal's answer. */
    static final int MAX_BODY = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpSourceSettings settings;
    private final String name;
    private final HttpClient client;

    public HttpCredentialSource(HttpSourceSettings settings) {
        this.settings = settings;
        this.name = "http:" + settings.name();
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Mono<Boolean> verify(Account account, String password) {
        if (password.isEmpty()) {
            return Mono.just(false);
        }
        ObjectNode body = JSON.createObjectNode()
                .put(settings.authIdField(), account.authId())
                .put(settings.passwordField(), password);
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            return Mono.error(new CredentialSourceException(name + ": cannot write the request", e));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        if (settings.bearerToken() != null) {
            request.header("Authorization", "Bearer " + settings.bearerToken());
        }
        return Mono.fromFuture(() -> client.sendAsync(request.build(), info -> new LimitedHttpBody(MAX_BODY)))
                .timeout(settings.timeout())
                .onErrorMap(error -> !(error instanceof CredentialSourceException),
                        error -> new CredentialSourceException(name + ": " + describe(error), error))
                .map(this::answer);
    }

    private boolean answer(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status == 401 || status == 403) {
            return false;
        }
        if (status != 200) {
            throw new CredentialSourceException(name + " answered HTTP " + status);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException | RuntimeException e) {
            throw new CredentialSourceException(name + " answered something that is not JSON", e);
        }
        JsonNode ok = json == null ? null : json.get(settings.okField());
        if (ok == null || !ok.isBoolean()) {
            throw new CredentialSourceException(name + " answered JSON without a boolean \"" + settings.okField()
                    + "\"");
        }
        return ok.booleanValue();
    }

    private static String describe(Throwable error) {
        Throwable cause = error.getCause() != null && error instanceof CompletionException
                ? error.getCause()
                : error;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    }
}
