package dev.hato.bench.load;

import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Base64;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Sinks;
import reactor.netty.Connection;
import reactor.netty.tcp.TcpClient;

/**
 * A minimal IMAP client connection on Reactor Netty for the load tools: one command at a time, each answered by a
 * {@link Result} holding the untagged responses that came with it; synchronizing literals for APPEND (the client
 * waits for "+" as RFC 3501 §7.5 requires, so it works whether or not the server offers LITERAL+); IDLE (RFC 2177)
 * with a listener for what arrives while idling. Nothing blocks: replies complete {@link Mono}s on the connection's
 * event loop.
 */
final class ImapClient {

    /** Lines and literals a load-test server may send; a FETCH of BODY[] of the test messages stays far below. */
    private static final int MAX_LINE = 256 * 1024;
    private static final int MAX_LITERAL = 64 * 1024 * 1024;

    /** The tagged completion of a command and the untagged responses received since the command was sent. */
    record Result(ImapResponse completion, List<ImapResponse> untagged) {
        boolean ok() {
            return "OK".equals(completion.status());
        }
    }

    private final Connection connection;
    private final ImapResponseReader reader = new ImapResponseReader(MAX_LINE, MAX_LITERAL);
    private int nextTag;
    // The command in flight; all fields below are guarded by "this" (callbacks come on the event loop, commands are
    // started from whichever thread completed the previous step).
    private @Nullable String tag;
    private @Nullable MonoSink<Result> waiting;
    private final Sinks.One<ImapResponse> greeting = Sinks.one();
    private boolean greeted;
    private String greetingText = "";
    private byte @Nullable [] pendingLiteral;
    private @Nullable MonoSink<Void> idling;
    private @Nullable Consumer<ImapResponse> unsolicited;
    private @Nullable UnaryOperator<byte[]> sasl;
    private List<ImapResponse> collected = new ArrayList<>();
    private @Nullable Throwable broken;

    private ImapClient(Connection connection) {
        this.connection = connection;
    }

    /**
     * TLS from the first octet (the IMAPS port); trusting only {@code ca} when given, anything otherwise. On
     * BoringSSL (netty-tcnative) when it loads: a load client should spend its CPU on the load, and the JDK's own
     * handshake costs several times as much.
     */
    static SslContext tls(@Nullable File ca) {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().protocols("TLSv1.3", "TLSv1.2")
                    .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
            return (ca == null ? builder.trustManager(InsecureTrustManagerFactory.INSTANCE) : builder.trustManager(ca))
                    .build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    /** Connects, completes TLS and reads the server's greeting, which must be "* OK". */
    static Mono<ImapClient> connect(String host, int port, @Nullable SslContext tls, Duration timeout) {
        // newConnection(): one socket per session, not the shared pool, which stops at 500 connections per address.
        TcpClient client = TcpClient.newConnection().host(host).port(port)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .option(ChannelOption.TCP_NODELAY, true);
        if (tls != null) {
            client = client.secure(spec -> spec.sslContext(tls).handshakeTimeout(timeout));
        }
        return client.connect().flatMap(connection -> {
            ImapClient imap = new ImapClient(connection);
            connection.inbound().receive().subscribe(buffer -> imap.received(buffer.nioBuffer()), imap::failed,
                    () -> imap.failed(new IllegalStateException("connection closed by the server")));
            return imap.greeting.asMono().timeout(timeout).flatMap(g -> "OK".equals(g.status())
                    ? Mono.just(imap)
                    : Mono.error(new IllegalStateException("greeting is not OK: " + g.text())))
                    .doOnError(e -> connection.dispose());
        });
    }

    /** Sends {@code tag command} and completes with the tagged response (whatever its status). */
    Mono<Result> command(String command) {
        return send(command, null);
    }

    /** APPEND with a synchronizing literal: the octets go after the server's "+" (RFC 3501 §6.3.11). */
    Mono<Result> append(String mailbox, String flags, byte[] message) {
        return send("APPEND " + mailbox + " " + flags + " {" + message.length + "}", message);
    }

    /**
     * AUTHENTICATE (RFC 3501 §6.2.2) without an initial response: each "+ challenge" is decoded and answered with
     * {@code responder}'s octets, BASE64-encoded; the first challenge is empty.
     */
    Mono<Result> authenticate(String mechanism, UnaryOperator<byte[]> responder) {
        return Mono.defer(() -> {
            synchronized (this) {
                sasl = responder;
            }
            return send("AUTHENTICATE " + mechanism, null);
        }).doFinally(signal -> {
            synchronized (this) {
                sasl = null;
            }
        });
    }

    /**
     * IDLE (RFC 2177): completes once the server answers "+"; every untagged response after that goes to
     * {@code listener} (on the event loop) until {@link #done()}.
     */
    Mono<Void> idle(Consumer<ImapResponse> listener) {
        return Mono.create(sink -> {
            String line;
            synchronized (this) {
                if (broken != null) {
                    sink.error(broken);
                    return;
                }
                tag = "i" + (++nextTag);
                idling = sink;
                unsolicited = listener;
                collected = new ArrayList<>();
                line = tag + " IDLE";
            }
            write(line);
        });
    }

    /** Ends IDLE with "DONE" and completes with IDLE's tagged response. */
    Mono<Result> done() {
        return Mono.create(sink -> {
            synchronized (this) {
                waiting = sink;
                unsolicited = null;
            }
            write("DONE");
        });
    }

    /** The server's greeting line ("* OK [CAPABILITY …] …"). */
    synchronized String greeting() {
        return greetingText;
    }

    void close() {
        connection.dispose();
    }

    Mono<Void> onClose() {
        return connection.onDispose();
    }

    private Mono<Result> send(String command, byte @Nullable [] literal) {
        return Mono.create(sink -> {
            String line;
            synchronized (this) {
                if (broken != null) {
                    sink.error(broken);
                    return;
                }
                if (waiting != null) {
                    sink.error(new IllegalStateException("a command is already in flight"));
                    return;
                }
                tag = "a" + (++nextTag);
                waiting = sink;
                pendingLiteral = literal;
                collected = new ArrayList<>();
                line = tag + " " + command;
            }
            write(line);
        });
    }

    private void write(String line) {
        write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private void write(byte[] octets) {
        connection.outbound().sendByteArray(Mono.just(octets)).then().subscribe(null, this::failed);
    }

    private void received(java.nio.ByteBuffer bytes) {
        List<ImapResponse> responses;
        try {
            responses = reader.feed(bytes);
        } catch (IllegalStateException e) {
            failed(e);
            return;
        }
        for (ImapResponse response : responses) {
            dispatch(response);
        }
    }

    private void dispatch(ImapResponse response) {
        MonoSink<Result> complete = null;
        boolean greets = false;
        MonoSink<Void> idled = null;
        Consumer<ImapResponse> listener = null;
        byte[] literal = null;
        UnaryOperator<byte[]> responder = null;
        Result result = null;
        synchronized (this) {
            if (!greeted) {
                greeted = true;
                greets = true;
                greetingText = response.text();
            } else if (response.continuation()) {
                if (idling != null) {
                    idled = idling;
                    idling = null;
                } else if (pendingLiteral != null) {
                    literal = pendingLiteral;
                    pendingLiteral = null;
                } else if (sasl != null) {
                    responder = sasl;
                }
            } else if (tag != null && response.taggedWith(tag)) {
                result = new Result(response, collected);
                collected = new ArrayList<>();
                complete = waiting;
                waiting = null;
                tag = null;
            } else if (unsolicited != null) {
                listener = unsolicited;
            } else {
                collected.add(response);
            }
        }
        if (greets) {
            greeting.tryEmitValue(response);
        } else if (idled != null) {
            idled.success();
        } else if (literal != null) {
            byte[] withEnd = new byte[literal.length + 2];
            System.arraycopy(literal, 0, withEnd, 0, literal.length);
            withEnd[literal.length] = '\r';
            withEnd[literal.length + 1] = '\n';
            write(withEnd);
        } else if (responder != null) {
            String challenge = response.text().length() > 2 ? response.text().substring(2).trim() : "";
            try {
                byte[] answer = responder.apply(Base64.getDecoder().decode(challenge));
                write(Base64.getEncoder().encodeToString(answer));
            } catch (RuntimeException e) {
                failed(e);
            }
        } else if (complete != null) {
            complete.success(result);
        } else if (listener != null) {
            listener.accept(response);
        }
    }

    private void failed(Throwable error) {
        MonoSink<Result> complete;
        MonoSink<Void> idled;
        synchronized (this) {
            if (broken != null) {
                return;
            }
            broken = error;
            complete = waiting;
            idled = idling;
            waiting = null;
            idling = null;
        }
        if (complete != null) {
            complete.error(error);
        }
        greeting.tryEmitError(error);
        if (idled != null) {
            idled.error(error);
        }
        connection.dispose();
    }
}
