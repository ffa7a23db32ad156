package dev.hato.edge;

import dev.hato.protocol.Backend;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * One connection to another server, first as {@link Backend} (lines read only when asked for), then, once {@link
 * #splice spliced} to a client's channel, a relay: each read is written to the client and the next read waits until
 * that write is done, so neither side can make Hato buffer what the other does not take. State is touched on this
 * channel's event loop only.
 */
final class BackendChannel extends ChannelInboundHandlerAdapter implements Backend {

    static final String NAME = "hato.backend";

    private final Channel channel;
    private final Supplier<SslHandler> tls;
    private final Duration replyTimeout;
    /** Bytes received and not yet a whole line. */
    private final ByteBuf partial = Unpooled.buffer();
    private final ArrayDeque<String> lines = new ArrayDeque<>();
    private @Nullable MonoSink<String> waiting;
    private @Nullable Throwable failure;
    private @Nullable Channel client;
    private boolean tlsStarted;

    BackendChannel(Channel channel, Supplier<SslHandler> tls, Duration replyTimeout) {
        this.channel = channel;
        this.tls = tls;
        this.replyTimeout = replyTimeout;
    }

    @Override
    public Mono<String> readLine() {
        return Mono.<String>create(sink -> channel.eventLoop().execute(() -> {
            String line = lines.poll();
            if (line != null) {
                sink.success(line);
            } else if (failure != null) {
                sink.error(failure);
            } else {
                waiting = sink;
                channel.read();
            }
        })).timeout(replyTimeout, Mono.defer(() -> {
            TimeoutException timeout = new TimeoutException("no reply within " + replyTimeout);
            channel.eventLoop().execute(() -> fail(timeout));
            return Mono.error(timeout);
        }));
    }

    @Override
    public Mono<Void> writeLine(String line) {
        return Mono.create(sink -> channel.writeAndFlush(Unpooled.copiedBuffer(line + "\r\n", StandardCharsets.UTF_8))
                .addListener(done -> {
                    if (done.isSuccess()) {
                        sink.success();
                    } else {
                        sink.error(done.cause());
                    }
                }));
    }

    @Override
    public Mono<Void> startTls() {
        return Mono.create(sink -> channel.eventLoop().execute(() -> {
            if (failure != null) {
                sink.error(failure);
                return;
            }
            if (tlsStarted) {
                sink.error(new IllegalStateException("TLS is already on"));
                return;
            }
            if (!lines.isEmpty() || partial.isReadable()) {
                // RFC 3207 §5 / RFC 2595: what came before the handshake could have been injected.
                fail(new IOException("the server sent more after agreeing to start TLS"));
                sink.error(failure);
                return;
            }
            tlsStarted = true;
            SslHandler handler = tls.get();
            channel.pipeline().addFirst("hato.backend-tls", handler);
            handler.handshakeFuture().addListener(done -> {
                if (done.isSuccess()) {
                    sink.success();
                } else {
                    fail(done.cause());
                    sink.error(done.cause());
                }
            });
        }));
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public void whenClosed(Runnable action) {
        channel.closeFuture().addListener(done -> action.run());
    }

    /**
     * From now on the server's bytes go to {@code to} unchanged, starting with whatever arrived after the last line
     * the session read. Called on {@code to}'s event loop; the relay runs on this channel's.
     */
    void splice(Channel to) {
        channel.eventLoop().execute(() -> {
            client = to;
            ByteBuf rest = Unpooled.buffer();
            for (String line : lines) {
                rest.writeCharSequence(line + "\r\n", StandardCharsets.UTF_8);
            }
            lines.clear();
            rest.writeBytes(partial);
            partial.release();
            if (failure != null || !channel.isActive()) {
                to.writeAndFlush(rest).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            relay(rest);
        });
    }

    /** The client's bytes, to this server; {@code then} runs (to read more from the client) once they are written. */
    void forward(ByteBuf fromClient, Runnable then) {
        channel.writeAndFlush(fromClient).addListener(done -> {
            if (done.isSuccess()) {
                then.run();
            } else {
                channel.close();
            }
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        ByteBuf bytes = (ByteBuf) message;
        if (client != null) {
            relay(bytes);
            return;
        }
        try {
            if (failure == null) {
                partial.writeBytes(bytes);
                splitLines();
            }
        } finally {
            bytes.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        if (client == null && waiting != null && failure == null) {
            channel.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        fail(new IOException("the server closed the connection"));
        Channel to = client;
        if (to != null) {
            to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        if (partial.refCnt() > 0) {
            partial.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        fail(cause);
        channel.close();
    }

    private void relay(ByteBuf bytes) {
        Channel to = java.util.Objects.requireNonNull(client);
        to.writeAndFlush(bytes).addListener(done -> {
            if (done.isSuccess()) {
                channel.read();
            } else {
                channel.close();
            }
        });
    }

    private void splitLines() {
        int end;
        while ((end = partial.indexOf(partial.readerIndex(), partial.writerIndex(), (byte) '\n')) >= 0) {
            int length = end - partial.readerIndex();
            String line = partial.toString(partial.readerIndex(), length, StandardCharsets.UTF_8);
            partial.readerIndex(end + 1);
            lines.add(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
        partial.discardReadBytes();
        if (partial.readableBytes() > NettyBackendConnector.MAX_LINE) {
            fail(new IOException("the server sent a line longer than " + NettyBackendConnector.MAX_LINE
                    + " octets"));
            channel.close();
            return;
        }
        MonoSink<String> sink = waiting;
        String line = lines.peek();
        if (sink != null && line != null) {
            waiting = null;
            sink.success(lines.poll());
        }
    }

    private void fail(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        MonoSink<String> sink = waiting;
        if (sink != null) {
            waiting = null;
            sink.error(cause);
        }
    }
}
