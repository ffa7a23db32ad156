package dev.hato.edge;

import dev.hato.protocol.Backend;
import dev.hato.protocol.BackendConnector;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Opens connections to other servers for sessions that log in there on a client's behalf and then hand the client
 * over (issue 17's proxy to an old system): plain Netty channels on an event loop group of their own, auto-read
 * off, so a {@link BackendChannel} reads only when a line is asked for and, once spliced, only as fast as the client
 * takes the bytes.
 */
public final class NettyBackendConnector implements BackendConnector, AutoCloseable {

    /** A greeting or reply line longer than this ends the login: IMAP capability lines stay far below it. */
    static final int MAX_LINE = 16 * 1024;

    private final Duration connectTimeout;
    private final Duration replyTimeout;
    /** Made on the first connection: most servers never proxy anyone. */
    private @Nullable EventLoopGroup group;

    public NettyBackendConnector(Duration connectTimeout, Duration replyTimeout) {
        this.connectTimeout = connectTimeout;
        this.replyTimeout = replyTimeout;
    }

    private synchronized EventLoopGroup group() {
        EventLoopGroup current = group;
        if (current == null) {
            current = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()),
                    runnable -> {
                        Thread thread = new Thread(runnable, "hato-backend");
                        thread.setDaemon(true);
                        return thread;
                    }, NioIoHandler.newFactory());
            group = current;
        }
        return current;
    }

    @Override
    public Mono<Backend> connect(String host, int port, boolean implicitTls, SSLContext trust) {
        SslContext tls = new JdkSslContext(trust, true, null, IdentityCipherSuiteFilter.INSTANCE, null,
                ClientAuth.NONE, null, false);
        return Mono.<Channel>create(sink -> {
            ChannelFuture connecting = new Bootstrap().group(group()).channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(connectTimeout.toMillis()))
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            channel.pipeline().addLast(BackendChannel.NAME,
                                    new BackendChannel(channel, () -> handler(channel, tls, host, port),
                                            replyTimeout));
                        }
                    })
                    .connect(host, port);
            sink.onCancel(() -> connecting.channel().close());
            connecting.addListener(done -> {
                if (done.isSuccess()) {
                    sink.success(connecting.channel());
                } else {
                    sink.error(done.cause());
                }
            });
        }).flatMap(channel -> {
            BackendChannel backend = (BackendChannel) channel.pipeline().get(BackendChannel.NAME);
            return implicitTls ? backend.startTls().thenReturn((Backend) backend) : Mono.just((Backend) backend);
        });
    }

    /** TLS for {@code host}: its certificate must chain to the trusted ones and name it. */
    private static SslHandler handler(Channel channel, SslContext tls, String host, int port) {
        SslHandler handler = tls.newHandler(channel.alloc(), host, port);
        SSLEngine engine = handler.engine();
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        engine.setSSLParameters(parameters);
        return handler;
    }

    /** Closes every connection made, spliced or not; a later connection starts a new event loop group. */
    @Override
    public synchronized void close() {
        EventLoopGroup current = group;
        group = null;
        if (current != null) {
            current.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }
}
