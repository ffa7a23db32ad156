package dev.hato.outbound.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The client conversation without a socket: the server's side is a script of replies, and the test reads back
 * what the client wrote. Each test is one conversation.
 */
class SmtpClientTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** Replies in order; every write is recorded as text. */
    private static final class ScriptedServer implements SmtpTransport {
        private final Deque<SmtpReply> replies = new ArrayDeque<>();
        private final List<String> written = new ArrayList<>();
        private boolean encrypted;
        private boolean closed;

        ScriptedServer(String... script) {
            ReplyParser parser = new ReplyParser(100);
            for (String reply : script) {
                for (String line : reply.split("\n")) {
                    SmtpReply complete = parser.line(line);
                    if (complete != null) {
                        replies.add(complete);
                    }
                }
            }
        }

        @Override
        public Mono<SmtpReply> reply() {
            return Mono.fromSupplier(() -> {
                SmtpReply next = replies.poll();
                if (next == null) {
                    throw new IllegalStateException("the script has no more replies; written: " + written);
                }
                return next;
            });
        }

        @Override
        public Mono<Void> send(String commands) {
            return Mono.fromRunnable(() -> written.add(commands));
        }

        @Override
        public Mono<Void> sendBytes(Flux<ByteBuffer> bytes) {
            return bytes.map(b -> StandardCharsets.ISO_8859_1.decode(b.duplicate()).toString())
                    .collectList().doOnNext(parts -> written.add(String.join("", parts))).then();
        }

        @Override
        public Mono<Void> startTls(boolean verify) {
            return Mono.fromRunnable(() -> encrypted = true);
        }

        @Override
        public boolean encrypted() {
            return encrypted;
        }

        @Override
        public String remoteHost() {
            return "mx.script.example";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static OutgoingMessage message(Envelope envelope, long size, String body, String... recipients) {
        return new OutgoingMessage(envelope, List.of(recipients).stream().map(OutboundRecipient::new).toList(), size,
                () -> Flux.just(ByteBuffer.wrap(body.getBytes(StandardCharsets.US_ASCII))));
    }

    private static final Envelope FROM = new Envelope("a@here.example", null, null, false, Envelope.Body.SEVEN_BIT);

    @Test
    void withoutPipeliningEachCommandShouldWaitForItsReplyAndTheFinalReplyDecideForAcceptedRecipients() {
        ScriptedServer server = new ScriptedServer("220 hi", "250-mx\n250 8BITMIME", "250 ok", "250 ok",
                "550 5.1.1 unknown", "354 go", "554 5.7.1 content refused", "221 bye");
        SmtpClient client = SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.MAY, null, null))
                .block(WAIT);

        List<RecipientResult> results = client.send(message(FROM, 10, "Hi.\r\n", "x@there.example",
                "y@there.example")).block(WAIT);
        client.quit().block(WAIT);

        assertThat(server.written).containsExactly("EHLO me.example\r\n", "MAIL FROM:<a@here.example>\r\n",
                "RCPT TO:<x@there.example>\r\n", "RCPT TO:<y@there.example>\r\n", "DATA\r\n", "Hi.\r\n.\r\n",
                "QUIT\r\n");
        assertThat(results).extracting(RecipientResult::outcome).containsExactly(RecipientResult.Outcome.PERMANENT,
                RecipientResult.Outcome.PERMANENT);
        assertThat(results.get(0).status()).isEqualTo("5.7.1");
        assertThat(results.get(1).status()).isEqualTo("5.1.1");
        assertThat(results.get(1).diagnostic()).isEqualTo("smtp; 550 5.1.1 unknown");
        assertThat(server.closed).isTrue();
    }

    @Test
    void aServerWithoutEhloShouldBeGreetedWithHelo() {
        ScriptedServer server = new ScriptedServer("220 old", "500 what?", "250 hello");

        StepVerifier.create(SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.MAY, null, null)))
                .assertNext(client -> assertThat(client.extensions()).isEqualTo(Extensions.NONE))
                .verifyComplete();
        assertThat(server.written).containsExactly("EHLO me.example\r\n", "HELO me.example\r\n");
    }

    @Test
    void authLoginShouldBeUsedWhenPlainIsNotOfferedAndOnlyAfterTls() {
        ScriptedServer server = new ScriptedServer("220 relay", "250-relay\n250 STARTTLS", "220 go ahead",
                "250-relay\n250 AUTH LOGIN", "334 VXNlcm5hbWU6", "334 UGFzc3dvcmQ6", "235 ok");

        StepVerifier.create(SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.ENCRYPT, "user",
                        "pass")))
                .expectNextCount(1).verifyComplete();
        assertThat(server.written).containsExactly("EHLO me.example\r\n", "STARTTLS\r\n", "EHLO me.example\r\n",
                "AUTH LOGIN\r\n", "dXNlcg==\r\n", "cGFzcw==\r\n");
    }

    @Test
    void requiredTlsThatIsNotOfferedShouldFailTheSessionTemporarily() {
        ScriptedServer server = new ScriptedServer("220 plain", "250-mx\n250 8BITMIME");

        StepVerifier.create(SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.VERIFY, null,
                        null)))
                .expectErrorSatisfies(error -> {
                    assertThat(error).isInstanceOf(SmtpFailure.class);
                    assertThat(((SmtpFailure) error).permanent()).isFalse();
                    assertThat(((SmtpFailure) error).status()).isEqualTo("4.7.4");
                })
                .verify(WAIT);
    }

    @Test
    void aMessageOverTheAnnouncedSizeShouldFailWithoutBeingSent() {
        ScriptedServer server = new ScriptedServer("220 hi", "250-mx\n250 SIZE 100");
        SmtpClient client = SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.MAY, null, null))
                .block(WAIT);

        List<RecipientResult> results = client.send(message(FROM, 101, "x", "x@there.example")).block(WAIT);

        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(RecipientResult.Outcome.PERMANENT);
            assertThat(result.status()).isEqualTo("5.3.4");
        });
        assertThat(server.written).containsExactly("EHLO me.example\r\n");
    }

    @Test
    void eightBitContentShouldNotGoToAServerWithout8bitmimeButSevenBitShould() {
        ScriptedServer server = new ScriptedServer("220 old", "250 mx", "250 ok", "250 ok", "354 go", "250 done");
        SmtpClient client = SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.MAY, null, null))
                .block(WAIT);
        Envelope eightBit = new Envelope("a@here.example", null, null, false, Envelope.Body.EIGHT_BIT_MIME);

        List<RecipientResult> refused = client.send(message(eightBit, 10, "x", "x@there.example")).block(WAIT);
        assertThat(refused).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(RecipientResult.Outcome.PERMANENT);
            assertThat(result.status()).isEqualTo("5.6.3");
        });
        assertThat(server.written).containsExactly("EHLO me.example\r\n");

        List<RecipientResult> sent = client.send(message(FROM, 3, "x\r\n", "y@there.example")).block(WAIT);
        assertThat(sent).singleElement().satisfies(result ->
                assertThat(result.outcome()).isEqualTo(RecipientResult.Outcome.DELIVERED));
    }

    @Test
    void whenEveryPipelinedRecipientIsRefusedAWrongly354ShouldGetAnEmptyMessage() {
        ScriptedServer server = new ScriptedServer("220 hi", "250-mx\n250 PIPELINING", "250 ok",
                "450 4.2.1 busy", "354 go (a broken server)", "250 empty message accepted");
        SmtpClient client = SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.MAY, null, null))
                .block(WAIT);

        List<RecipientResult> results = client.send(message(FROM, 5, "Hi.\r\n", "x@there.example")).block(WAIT);

        assertThat(server.written).containsExactly("EHLO me.example\r\n",
                "MAIL FROM:<a@here.example>\r\nRCPT TO:<x@there.example>\r\nDATA\r\n", ".\r\n");
        assertThat(results).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(RecipientResult.Outcome.TEMPORARY);
            assertThat(result.status()).isEqualTo("4.2.1");
        });
    }

    @Test
    void aRefusedMailFromShouldDecideForEveryRecipient() {
        ScriptedServer server = new ScriptedServer("220 hi", "250 mx", "421 4.3.2 shutting down");
        SmtpClient client = SmtpClient.open(server, new SmtpClient.Settings("me.example", TlsPolicy.NONE, null, null))
                .block(WAIT);

        List<RecipientResult> results = client.send(message(FROM, 5, "Hi.\r\n", "x@there.example",
                "y@there.example")).block(WAIT);

        assertThat(results).extracting(RecipientResult::outcome).containsOnly(RecipientResult.Outcome.TEMPORARY);
        assertThat(server.written).containsExactly("EHLO me.example\r\n", "MAIL FROM:<a@here.example>\r\n");
    }
}
