package dev.hato.inbound.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hato.inbound.SpamFilter;
import dev.hato.inbound.SpamVerdict;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * rspamd's protocol as {@link RspamdFilter} speaks it, against HTTP servers on loopback that answer as rspamd does,
 * wrongly, or not at all (the real rspamd is in SpamFilterTest): what is sent, how each action becomes a verdict,
 * and that a filter that is down, silent or talking nonsense costs at most the timeout and gives the outage verdict.
 */
class RspamdFilterTest {

    private static final byte[] MESSAGE = "From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final SpamFilter.Request REQUEST = new SpamFilter.Request("q1", "192.0.2.7", "mx.example.com",
            "a@example.com", List.of("b@example.org", "c@example.org"));

    private final List<AutoCloseable> closing = new CopyOnWriteArrayList<>();
    private final Map<String, List<String>> seenHeaders = new ConcurrentHashMap<>();
    private final ByteArrayOutputStream seenBody = new ByteArrayOutputStream();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @Test
    void theMessageAndItsEnvelopeShouldBeSentAndEachActionBecomeAVerdict() throws Exception {
        URI url = server(200, "{\"is_skipped\":false,\"score\":7.5,\"required_score\":15.0,\"action\":\"add header\"}");
        SpamVerdict verdict = filter(url, SpamVerdict.OnFailure.ACCEPT, true).check(REQUEST, content(), MESSAGE.length)
                .block(Duration.ofSeconds(10));
        assertThat(verdict.action()).isEqualTo(SpamVerdict.Action.JUNK);
        assertThat(new String(verdict.fields(), StandardCharsets.US_ASCII)).isEqualTo(
                "X-Spam-Status: Yes, score=7.50 required=15.00 action=add_header\r\nX-Spam-Flag: YES\r\n");
        assertThat(seenBody.toByteArray()).isEqualTo(MESSAGE);
        assertThat(seenHeaders.get("Ip")).containsExactly("192.0.2.7");
        assertThat(seenHeaders.get("Helo")).containsExactly("mx.example.com");
        assertThat(seenHeaders.get("From")).containsExactly("a@example.com");
        assertThat(seenHeaders.get("Rcpt")).containsExactlyInAnyOrder("b@example.org", "c@example.org");
        assertThat(seenHeaders.get("Queue-id")).containsExactly("q1");

        assertThat(SpamVerdict.of("reject", 16, 15, "Gtube pattern", true).reply())
                .isEqualTo("554 5.7.1 Message refused as spam: Gtube pattern");
        assertThat(SpamVerdict.of("reject", 16, 15, null, false).action()).isEqualTo(SpamVerdict.Action.JUNK);
        assertThat(SpamVerdict.of("soft reject", 9, 15, "bad\r\nline", true).reply())
                .isEqualTo("451 4.7.1 Message deferred by the spam filter, try again later");
        assertThat(SpamVerdict.of("greylist", 4.5, 15, null, true).action()).isEqualTo(SpamVerdict.Action.DEFER);
        SpamVerdict ham = SpamVerdict.of("no action", -0.5, 15, null, true);
        assertThat(ham.action()).isEqualTo(SpamVerdict.Action.ACCEPT);
        assertThat(new String(ham.fields(), StandardCharsets.US_ASCII))
                .isEqualTo("X-Spam-Status: No, score=-0.50 required=15.00 action=no_action\r\n");
    }

    @Test
    void aFilterThatIsDownSilentOrWrongShouldGiveTheOutageVerdictWithinTheTimeout() throws Exception {
        int dead;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = socket.getLocalPort();
        }
        URI down = URI.create("http://127.0.0.1:" + dead);
        SpamVerdict accepted = filter(down, SpamVerdict.OnFailure.ACCEPT, true).check(REQUEST, content(),
                MESSAGE.length).block(Duration.ofSeconds(10));
        assertThat(accepted.action()).isEqualTo(SpamVerdict.Action.ACCEPT);
        assertThat(accepted.fields()).isEmpty();
        assertThat(accepted.summary()).startsWith("unavailable");
        SpamVerdict deferred = filter(down, SpamVerdict.OnFailure.DEFER, true).check(REQUEST, content(),
                MESSAGE.length).block(Duration.ofSeconds(10));
        assertThat(deferred.action()).isEqualTo(SpamVerdict.Action.DEFER);
        assertThat(deferred.reply()).isEqualTo("451 4.7.1 The spam filter is not available, try again later");

        // Accepts the connection, reads, never answers: the timeout (300 ms) ends the check.
        ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        closing.add(silent);
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket socket = silent.accept();
                    closing.add(socket);
                }
            } catch (Exception closed) {
                // the test is over
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        long start = System.nanoTime();
        SpamVerdict timedOut = filter(URI.create("http://127.0.0.1:" + silent.getLocalPort()),
                SpamVerdict.OnFailure.ACCEPT, true).check(REQUEST, content(), MESSAGE.length)
                .block(Duration.ofSeconds(10));
        assertThat(timedOut.summary()).startsWith("unavailable");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        for (URI wrong : List.of(server(500, "{}"), server(200, "not json"), server(200, "{\"score\":1}"))) {
            assertThat(filter(wrong, SpamVerdict.OnFailure.DEFER, true).check(REQUEST, content(), MESSAGE.length)
                    .block(Duration.ofSeconds(10)).action()).as(wrong.toString()).isEqualTo(SpamVerdict.Action.DEFER);
        }
    }

    @Test
    void aMessageOverTheSizeLimitShouldGoUnscanned() throws Exception {
        URI url = server(200, "{\"score\":20,\"required_score\":15,\"action\":\"reject\"}");
        SpamVerdict verdict = new RspamdFilter(new RspamdFilter.Settings(url, Duration.ofSeconds(5), 10, true,
                SpamVerdict.OnFailure.ACCEPT)).check(REQUEST, content(), MESSAGE.length).block(Duration.ofSeconds(10));
        assertThat(verdict.action()).isEqualTo(SpamVerdict.Action.ACCEPT);
        assertThat(verdict.summary()).startsWith("not scanned");
        assertThat(seenBody.size()).as("nothing was sent").isZero();
    }

    private static RspamdFilter filter(URI url, SpamVerdict.OnFailure onFailure, boolean reject) {
        return new RspamdFilter(new RspamdFilter.Settings(url, Duration.ofMillis(300), 1 << 20, reject, onFailure));
    }

    private static Flux<ByteBuffer> content() {
        return Flux.just(ByteBuffer.wrap(MESSAGE, 0, 10), ByteBuffer.wrap(MESSAGE, 10, MESSAGE.length - 10));
    }

    /** An HTTP server on loopback that answers POST /checkv2 with {@code status} and {@code body}. */
    private URI server(int status, String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/checkv2", exchange -> {
            exchange.getRequestHeaders().forEach(seenHeaders::put);
            byte[] received = exchange.getRequestBody().readAllBytes();
            synchronized (seenBody) {
                seenBody.writeBytes(received);
            }
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        closing.add(() -> server.stop(0));
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }
}
