package dev.hato.inbound.transport;

import dev.hato.auth.LimitedHttpBody;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Teaches rspamd's classifier through its controller worker (default port 11334): {@code POST /learnspam} or
 * {@code /learnham} with the message as the body and the controller's {@code Password} header. rspamd answers 200
 * when it learnt, 208 when it had already learnt that message; anything else, or no answer within the timeout, is an
 * error of the returned Mono. The JDK's HTTP client, asynchronously.
 */
public final class RspamdLearner {

    private static final int MAX_ANSWER = 64 * 1024;

    /** What rspamd said. */
    public enum Outcome { LEARNT, ALREADY_LEARNT }

    private final URI spam;
    private final URI ham;
    private final @Nullable String password;
    private final Duration timeout;
    private final HttpClient client;

    /**
     * @param controller rspamd's controller, {@code http://127.0.0.1:11334}
     * @param password   its {@code password} or {@code enable_password}, when it has one
     */
    public RspamdLearner(URI controller, @Nullable String password, Duration timeout) {
        Objects.requireNonNull(controller, "controller");
        this.spam = controller.resolve("/learnspam");
        this.ham = controller.resolve("/learnham");
        this.password = password;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = RspamdFilter.httpClient(timeout);
    }

    /** Teaches that {@code content} ({@code size} octets) is spam, or is not. */
    public Mono<Outcome> learn(boolean isSpam, Flux<ByteBuffer> content, long size) {
        return Mono.defer(() -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(isSpam ? spam : ham)
                    .timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.fromPublisher(JdkFlowAdapter.publisherToFlowPublisher(content),
                            size));
            if (password != null && !password.isEmpty()) {
                request.header("Password", password);
            }
            return Mono.fromFuture(() -> client.sendAsync(request.build(), info -> new LimitedHttpBody(MAX_ANSWER)));
        }).timeout(timeout).map(response -> switch (response.statusCode()) {
            case 200 -> Outcome.LEARNT;
            case 208 -> Outcome.ALREADY_LEARNT;
            default -> throw new IllegalStateException("rspamd answered " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8).strip());
        });
    }
}
