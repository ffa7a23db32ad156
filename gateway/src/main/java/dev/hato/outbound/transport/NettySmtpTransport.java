package dev.hato.outbound.transport;

import dev.hato.outbound.client.ReplyParser;
import dev.hato.outbound.client.SmtpProtocolException;
import dev.hato.outbound.client.SmtpReply;
import dev.hato.outbound.client.SmtpTransport;
import dev.hato.protocol.TlsParameters;
import io.netty.buffer.Unpooled;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.netty.Connection;

/**
 * One SMTP client connection on Reactor Netty: inbound lines (framed by a {@code LineBasedFrameDecoder}) go through
 * a {@link ReplyParser}; complete replies wait in a short queue until {@link #reply()} asks for them. A server that
 * sends more unrequested replies than {@link #MAX_UNREAD} or stays silent longer than the reply timeout loses the
 * connection.
 */
final class NettySmtpTransport implements SmtpTransport {

    /** RFC 2920 pipelining: a group of a message's recipients is answered at once; anything beyond is abuse. */
    private static final int MAX_UNREAD = 2000;

    private final Connection connection;
    private final String remoteHost;
    private final InetSocketAddress address;
    private final ClientTls tls;
    private final Duration replyTimeout;
    private final ReplyParser parser = new ReplyParser(100);
    private final Deque<SmtpReply> unread = new ArrayDeque<>();
    private final Deque<MonoSink<SmtpReply>> waiting = new ArrayDeque<>();
    private @Nullable Throwable failure;
    private volatile boolean encrypted;
    private volatile @Nullable TlsParameters tlsParameters;

    NettySmtpTransport(Connection connection, String remoteHost, InetSocketAddress address, ClientTls tls,
                       Duration replyTimeout) {
        this.connection = connection;
        this.remoteHost = remoteHost;
        this.address = address;
        this.tls = tls;
        this.replyTimeout = replyTimeout;
    }

    /** Starts reading; called once, right after the connection is set up. */
    void start() {
        connection.inbound().receive().asString(StandardCharsets.UTF_8)
                .subscribe(this::line, this::fail,
                        () -> fail(new SmtpProtocolException("the server closed the connection")));
    }

    private void line(String line) {
        SmtpReply reply;
        try {
            reply = parser.line(line);
        } catch (SmtpProtocolException e) {
            fail(e);
            return;
        }
        if (reply == null) {
            return;
        }
        MonoSink<SmtpReply> sink;
        synchronized (this) {
            sink = waiting.poll();
            if (sink == null) {
                if (unread.size() >= MAX_UNREAD) {
                    failLocked(new SmtpProtocolException("the server sent more replies than were asked for"));
                } else {
                    unread.add(reply);
                }
                return;
            }
        }
        sink.success(reply);
    }

    private void fail(Throwable error) {
        synchronized (this) {
            failLocked(error);
        }
    }

    private void failLocked(Throwable error) {
        if (failure == null) {
            failure = error;
        }
        MonoSink<SmtpReply> sink;
        while ((sink = waiting.poll()) != null) {
            sink.error(error);
        }
        connection.dispose();
    }

    @Override
    public Mono<SmtpReply> reply() {
        return Mono.<SmtpReply>create(sink -> {
                    SmtpReply ready;
                    synchronized (this) {
                        ready = unread.poll();
                        if (ready == null) {
                            if (failure != null) {
                                sink.error(failure);
                                return;
                            }
                            waiting.add(sink);
                            sink.onCancel(() -> {
                                synchronized (this) {
                                    waiting.remove(sink);
                                }
                            });
                            return;
                        }
                    }
                    sink.success(ready);
                })
                // RFC 5321 §4.5.3.2 timeouts; a silent server loses the connection (and all later replies).
                .timeout(replyTimeout, Mono.defer(() -> {
                    TimeoutException timeout = new TimeoutException("no reply from " + remoteHost + " within "
                            + replyTimeout);
                    fail(timeout);
                    return Mono.error(timeout);
                }));
    }

    @Override
    public Mono<Void> send(String commands) {
        return connection.outbound().sendString(Mono.just(commands), StandardCharsets.UTF_8).then();
    }

    @Override
    public Mono<Void> sendBytes(Flux<ByteBuffer> bytes) {
        return connection.outbound().send(bytes.map(Unpooled::wrappedBuffer)).then();
    }

    @Override
    public Mono<Void> startTls(boolean verify) {
        synchronized (this) {
            if (failure != null) {
                return Mono.error(failure);
            }
            if (!unread.isEmpty() || parser.inReply()) {
                // RFC 3207 §5 / CVE-2011-0411 in reverse: replies that arrived before TLS could be injected.
                fail(new SmtpProtocolException("the server sent data after its reply to STARTTLS"));
                return Mono.error(failure);
            }
        }
        return handshake(verify);
    }

    /** Puts TLS in front of the pipeline and waits for the handshake; also used for implicit TLS. */
    Mono<Void> handshake(boolean verify) {
        return Mono.create(sink -> {
            SslHandler handler = tls.context(verify).newHandler(connection.channel().alloc(), remoteHost,
                    address.getPort());
            connection.channel().pipeline().addFirst("tls", handler);
            handler.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    SSLSession session = handler.engine().getSession();
                    tlsParameters = new TlsParameters(session.getProtocol(), session.getCipherSuite());
                    encrypted = true;
                    sink.success();
                } else {
                    fail(done.cause());
                    sink.error(done.cause());
                }
            });
        });
    }

    @Override
    public boolean encrypted() {
        return encrypted;
    }

    @Override
    public @Nullable TlsParameters tls() {
        return tlsParameters;
    }

    @Override
    public String remoteHost() {
        return remoteHost;
    }

    @Override
    public void close() {
        connection.dispose();
    }
}
