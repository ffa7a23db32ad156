package dev.hato.inbound.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hato.auth.LimitedHttpBody;
import dev.hato.inbound.SpamFilter;
import dev.hato.inbound.SpamVerdict;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * rspamd's HTTP protocol ({@code POST /checkv2} to its normal worker, default port 11333): the message streamed as
 * the body with its length, the envelope in rspamd's request headers ({@code Ip}, {@code Helo}, {@code From}, one
 * {@code Rcpt} per recipient, {@code Queue-Id}), the JSON answer's {@code action}, {@code score},
 * {@code required_score} and {@code messages.smtp_message} made into a {@link SpamVerdict}. The JDK's HTTP client,
 * asynchronously: no thread waits for rspamd. Whatever goes wrong (no connection, a status other than 200, an answer
 * over 1 MiB or not JSON, no answer within the timeout) gives {@link SpamVerdict#unavailable}.
 */
public final class RspamdFilter implements SpamFilter {

    private static final Logger LOG = LoggerFactory.getLogger(RspamdFilter.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_ANSWER = 1 << 20;

    /**
     * @param url       rspamd's normal worker, {@code http://127.0.0.1:11333}
     * @param timeout   how long one check may take, connection included
     * @param maxSize   larger messages are delivered unscanned, as rspamd's own {@code max_message} would refuse
     * @param reject    whether rspamd's {@code reject} refuses the message (else it goes to Junk)
     * @param onFailure what a check that fails gives
     */
    public record Settings(URI url, Duration timeout, long maxSize, boolean reject, SpamVerdict.OnFailure onFailure) {

        public Settings {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(onFailure, "onFailure");
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new IllegalArgumentException("the spam filter's URL must be http://host:port, not " + url);
            }
            if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("the spam filter's timeout must be positive and at most 5m");
            }
            if (maxSize <= 0) {
                throw new IllegalArgumentException("the spam filter's max-size must be positive");
            }
        }
    }

    private final Settings settings;
    private final URI check;
    private final HttpClient client;

    public RspamdFilter(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.check = settings.url().resolve("/checkv2");
        this.client = httpClient(settings.timeout());
    }

    /** The JDK's HTTP/1.1 client rspamd's workers are asked with: no redirects, connecting within {@code timeout}. */
    static HttpClient httpClient(Duration timeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Mono<SpamVerdict> check(Request request, Flux<ByteBuffer> content, long size) {
        if (size > settings.maxSize()) {
            return Mono.just(SpamVerdict.unscanned("larger than " + settings.maxSize() + " octets"));
        }
        HttpRequest.Builder http = HttpRequest.newBuilder(check)
                .timeout(settings.timeout())
                .header("Ip", printable(request.clientIp()))
                .header("Helo", printable(request.helo()))
                .header("From", printable(request.sender()))
                .header("Queue-Id", printable(request.queueId()))
                .POST(HttpRequest.BodyPublishers.fromPublisher(JdkFlowAdapter.publisherToFlowPublisher(content),
                        size));
        for (String recipient : request.recipients()) {
            http.header("Rcpt", printable(recipient));
        }
        return Mono.fromFuture(() -> client.sendAsync(http.build(), info -> new LimitedHttpBody(MAX_ANSWER)))
                .timeout(settings.timeout())
                .map(this::verdict)
                .onErrorResume(failure -> {
                    String why = failure instanceof TimeoutException ? "no answer within " + settings.timeout()
                            : failure.toString();
                    LOG.warn("spam filter {}: message {}: {}", check, request.queueId(), why);
                    return Mono.just(SpamVerdict.unavailable(settings.onFailure(), why));
                });
    }

    private SpamVerdict verdict(HttpResponse<byte[]> response) {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP status " + response.statusCode());
        }
        JsonNode answer;
        try {
            answer = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("an answer that is not JSON", e);
        }
        JsonNode action = answer.get("action");
        if (action == null || !action.isTextual()) {
            throw new IllegalStateException("an answer without an action");
        }
        JsonNode message = answer.path("messages").get("smtp_message");
        return SpamVerdict.of(action.asText(), answer.path("score").asDouble(),
                answer.path("required_score").asDouble(), message != null && message.isTextual() ? message.asText()
                        : null, settings.reject());
    }

    /**
     * A header value the HTTP client sends: printable ASCII, anything else (control characters, the UTF-8 of an
     * SMTPUTF8 address) as {@code ?}.
     */
    private static String printable(String value) {
        StringBuilder clean = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            clean.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return clean.toString();
    }
}
