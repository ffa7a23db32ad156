package dev.hato.outbound.client;

import dev.hato.protocol.TlsParameters;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The client side of one SMTP connection (RFC 5321): greeting, EHLO, STARTTLS by policy (RFC 3207), AUTH for a
 * smarthost (RFC 4954), then any number of transactions (RSET between them), then QUIT. Plain Java over a
 * {@link SmtpTransport}; each method returns when the server has answered.
 */
public final class SmtpClient {

    /**
     * @param heloName   the name this host gives in EHLO
     * @param tls        the TLS policy of the destination
     * @param username   smarthost credentials (with {@code password}), or null
     */
    public record Settings(String heloName, TlsPolicy tls, @Nullable String username, @Nullable String password) {
        public Settings {
            if (heloName.isBlank()) {
                throw new IllegalArgumentException("a HELO name is required");
            }
            if ((username == null) != (password == null)) {
                throw new IllegalArgumentException("set both username and password for AUTH, or neither");
            }
        }
    }

    private final SmtpTransport transport;
    private final Extensions extensions;

    private SmtpClient(SmtpTransport transport, Extensions extensions) {
        this.transport = transport;
        this.extensions = extensions;
    }

    /** Reads the greeting and sets the session up; errors with {@link SmtpFailure} when the server refuses. */
    public static Mono<SmtpClient> open(SmtpTransport transport, Settings settings) {
        return transport.reply()
                .flatMap(greeting -> greeting.code() == 220 ? hello(transport, settings)
                        : Mono.error(SmtpFailure.of("greeting", greeting)))
                .flatMap(extensions -> startTls(transport, settings, extensions))
                .flatMap(extensions -> authenticate(transport, settings, extensions)
                        .thenReturn(new SmtpClient(transport, extensions)));
    }

    private static Mono<Extensions> hello(SmtpTransport transport, Settings settings) {
        return command(transport, "EHLO " + settings.heloName() + "\r\n")
                .flatMap(ehlo -> {
                    if (ehlo.code() == 250) {
                        return Mono.just(Extensions.of(ehlo));
                    }
                    if (ehlo.permanentFailure()) {
                        // RFC 5321 §3.2: a server that does not know EHLO still knows HELO.
                        return command(transport, "HELO " + settings.heloName() + "\r\n")
                                .flatMap(helo -> helo.code() == 250 ? Mono.just(Extensions.NONE)
                                        : Mono.error(SmtpFailure.of("HELO", helo)));
                    }
                    return Mono.error(SmtpFailure.of("EHLO", ehlo));
                });
    }

    private static Mono<Extensions> startTls(SmtpTransport transport, Settings settings, Extensions extensions) {
        if (transport.encrypted() || settings.tls() == TlsPolicy.NONE) {
            return Mono.just(extensions);
        }
        if (!extensions.has("STARTTLS")) {
            return settings.tls().required()
                    ? Mono.error(SmtpFailure.noTls("x-local; TLS is required for this destination, but "
                            + transport.remoteHost() + " does not offer STARTTLS"))
                    : Mono.just(extensions);
        }
        return command(transport, "STARTTLS\r\n")
                .flatMap(reply -> {
                    if (reply.code() != 220) {
                        return settings.tls().required()
                                ? Mono.error(SmtpFailure.noTls("smtp; " + reply + " (STARTTLS)"))
                                : Mono.just(extensions);
                    }
                    // RFC 3207 §4.2: everything known before TLS is forgotten; EHLO again.
                    return transport.startTls(settings.tls().verifies())
                            .onErrorMap(error -> new TlsFailure(transport.remoteHost(), error))
                            .then(Mono.defer(() -> hello(transport, settings)));
                });
    }

    private static Mono<Void> authenticate(SmtpTransport transport, Settings settings, Extensions extensions) {
        if (settings.username() == null || settings.password() == null) {
            return Mono.empty();
        }
        String username = settings.username();
        String password = settings.password();
        if (extensions.authMechanisms().contains("PLAIN")) {
            // RFC 4616: authorization identity empty, then authentication identity and password.
            String response = base64("\0" + username + "\0" + password);
            return expect(transport, "AUTH PLAIN " + response + "\r\n", 235, "AUTH PLAIN");
        }
        if (extensions.authMechanisms().contains("LOGIN")) {
            return expect(transport, "AUTH LOGIN\r\n", 334, "AUTH LOGIN")
                    .then(expect(transport, base64(username) + "\r\n", 334, "AUTH LOGIN user name"))
                    .then(expect(transport, base64(password) + "\r\n", 235, "AUTH LOGIN password"));
        }
        return Mono.error(new SmtpFailure(false, "4.7.0", "x-local; credentials are configured for "
                + transport.remoteHost() + ", but it offers neither AUTH PLAIN nor AUTH LOGIN"));
    }

    public Extensions extensions() {
        return extensions;
    }

    public String remoteHost() {
        return transport.remoteHost();
    }

    /** The TLS of this connection (protocol and cipher suite), or null without TLS. */
    public @Nullable TlsParameters tls() {
        return transport.encrypted() ? transport.tls() : null;
    }

    /**
     * One transaction. Emits a result per recipient (in order); errors only when the connection broke, in which
     * case the message's recipients are still to be tried.
     */
    public Mono<List<RecipientResult>> send(OutgoingMessage message) {
        Envelope envelope = message.envelope();
        boolean dsn = extensions.has("DSN");
        // RFC 6531 §3.2: a message that needs SMTPUTF8 must not go to a server that lacks it.
        if (envelope.utf8() && !extensions.has("SMTPUTF8")) {
            return Mono.just(all(message, true, "5.6.7", remoteHost()
                    + " does not support SMTPUTF8, which this message needs (RFC 6531)"));
        }
        // RFC 3030 §3: BINARYMIME needs BDAT, so both must be offered.
        if (envelope.body() == Envelope.Body.BINARY_MIME
                && !(extensions.has("CHUNKING") && extensions.has("BINARYMIME"))) {
            return Mono.just(all(message, true, "5.6.3", remoteHost()
                    + " does not support BINARYMIME and CHUNKING, which this message needs (RFC 3030)"));
        }
        // RFC 6152 §3: 8-bit content goes only to a server that offers 8BITMIME; Hato does not convert it to 7-bit,
        // so the sender is told (the SMTP session marks as 8BITMIME exactly the messages that hold 8-bit octets).
        if (envelope.body() == Envelope.Body.EIGHT_BIT_MIME && !extensions.has("8BITMIME")) {
            return Mono.just(all(message, true, "5.6.3", remoteHost()
                    + " does not support 8BITMIME, which this message needs (RFC 6152)"));
        }
        if (extensions.maxSize().isPresent() && message.size() > extensions.maxSize().getAsLong()) {
            return Mono.just(all(message, true, "5.3.4", "the message (" + message.size() + " octets) is larger than "
                    + remoteHost() + " accepts (" + extensions.maxSize().getAsLong() + ", RFC 1870)"));
        }
        boolean chunking = envelope.body() == Envelope.Body.BINARY_MIME;
        String mail = Commands.mailFrom(envelope, message.size(), extensions);
        List<String> rcpts = message.recipients().stream().map(r -> Commands.rcptTo(r, extensions)).toList();
        Mono<List<SmtpReply>> envelopeReplies;
        if (extensions.has("PIPELINING")) {
            // RFC 2920 §3.1: MAIL, the RCPTs and DATA in one write; the replies come back in order.
            String group = mail + String.join("", rcpts) + (chunking ? "" : "DATA\r\n");
            int expected = 1 + rcpts.size() + (chunking ? 0 : 1);
            envelopeReplies = transport.send(group)
                    .then(Flux.range(0, expected).concatMap(i -> transport.reply()).collectList());
        } else {
            envelopeReplies = command(transport, mail).flatMap(mailReply -> {
                if (!mailReply.positive()) {
                    return Mono.just(List.of(mailReply));
                }
                return Flux.fromIterable(rcpts).concatMap(rcpt -> command(transport, rcpt)).collectList()
                        .flatMap(rcptReplies -> {
                            List<SmtpReply> replies = new ArrayList<>();
                            replies.add(mailReply);
                            replies.addAll(rcptReplies);
                            if (chunking || rcptReplies.stream().noneMatch(SmtpReply::positive)) {
                                return Mono.just(replies);
                            }
                            return command(transport, "DATA\r\n").map(data -> {
                                replies.add(data);
                                return replies;
                            });
                        });
            });
        }
        return envelopeReplies.flatMap(replies -> transfer(message, replies, chunking, dsn));
    }

    private Mono<List<RecipientResult>> transfer(OutgoingMessage message, List<SmtpReply> replies, boolean chunking,
                                                 boolean dsn) {
        SmtpReply mail = replies.get(0);
        List<OutboundRecipient> recipients = message.recipients();
        @Nullable SmtpReply data = !chunking && replies.size() == recipients.size() + 2
                ? replies.get(replies.size() - 1) : null;
        if (!mail.positive()) {
            List<RecipientResult> results = new ArrayList<>();
            for (OutboundRecipient recipient : recipients) {
                results.add(RecipientResult.of(recipient, mail, dsn));
            }
            // A server that wrongly answered 354 to a pipelined DATA gets an empty message ended at once.
            return endIfDataStarted(data).thenReturn(results);
        }
        List<RecipientResult> refused = new ArrayList<>();
        List<OutboundRecipient> accepted = new ArrayList<>();
        List<RecipientResult> results = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            SmtpReply rcpt = replies.get(1 + i);
            results.add(RecipientResult.of(recipients.get(i), rcpt, dsn));
            if (rcpt.positive()) {
                accepted.add(recipients.get(i));
            } else {
                refused.add(results.get(i));
            }
        }
        if (accepted.isEmpty()) {
            return endIfDataStarted(data).thenReturn(results);
        }
        Mono<SmtpReply> finalReply;
        if (chunking) {
            finalReply = bdat(message);
        } else {
            if (data == null || data.code() != 354) {
                SmtpReply refusal = data != null ? data : new SmtpReply(451, List.of("4.0.0 no reply to DATA"));
                return Mono.just(replaceAccepted(results, refusal, dsn));
            }
            DotStuffer stuffer = new DotStuffer();
            finalReply = transport.sendBytes(message.content().get().map(stuffer::encode)
                            .concatWith(Mono.fromSupplier(stuffer::end)))
                    .then(transport.reply());
        }
        return finalReply.map(reply -> replaceAccepted(results, reply, dsn));
    }

    /** RFC 3030 §2: the content in BDAT chunks, each answered, then an empty last chunk. */
    private Mono<SmtpReply> bdat(OutgoingMessage message) {
        return message.content().get()
                .concatMap(chunk -> transport.send("BDAT " + chunk.remaining() + "\r\n")
                        .then(transport.sendBytes(Flux.just(chunk)))
                        .then(transport.reply())
                        .flatMap(reply -> reply.positive() ? Mono.just(reply)
                                : Mono.error(new ChunkRefused(reply))), 1)
                .then(command(transport, "BDAT 0 LAST\r\n"))
                .onErrorResume(ChunkRefused.class, refused -> Mono.just(refused.reply));
    }

    private static final class ChunkRefused extends RuntimeException {
        private final SmtpReply reply;

        ChunkRefused(SmtpReply reply) {
            super(reply.toString(), null, false, false);
            this.reply = reply;
        }
    }

    private Mono<Void> endIfDataStarted(@Nullable SmtpReply data) {
        if (data == null || data.code() != 354) {
            return Mono.empty();
        }
        return transport.sendBytes(Flux.just(ByteBuffer.wrap(new byte[] {'.', '\r', '\n'})))
                .then(transport.reply()).then();
    }

    /** The reply to the end of data decides for every recipient whose RCPT was accepted. */
    private static List<RecipientResult> replaceAccepted(List<RecipientResult> results, SmtpReply reply,
                                                         boolean dsn) {
        List<RecipientResult> replaced = new ArrayList<>(results.size());
        for (RecipientResult result : results) {
            replaced.add(result.outcome() == RecipientResult.Outcome.DELIVERED
                    ? RecipientResult.of(result.recipient(), reply, dsn) : result);
        }
        return replaced;
    }

    private List<RecipientResult> all(OutgoingMessage message, boolean permanent, String status, String reason) {
        return message.recipients().stream()
                .map(recipient -> RecipientResult.local(recipient, permanent, status, reason)).toList();
    }

    /** RSET before the next transaction on this connection (RFC 5321 §4.1.1.5). */
    public Mono<Boolean> reset() {
        return command(transport, "RSET\r\n").map(reply -> reply.code() == 250);
    }

    /** QUIT, waiting for the goodbye, then closes; never fails. */
    public Mono<Void> quit() {
        return command(transport, "QUIT\r\n").then()
                .onErrorResume(ignored -> Mono.empty())
                .doFinally(signal -> transport.close());
    }

    /** Closes without QUIT (after an error). */
    public void abort() {
        transport.close();
    }

    private static Mono<SmtpReply> command(SmtpTransport transport, String command) {
        return transport.send(command).then(transport.reply());
    }

    private static Mono<Void> expect(SmtpTransport transport, String command, int code, String step) {
        return command(transport, command).flatMap(reply -> reply.code() == code ? Mono.<Void>empty()
                : Mono.error(SmtpFailure.of(step, reply)));
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
