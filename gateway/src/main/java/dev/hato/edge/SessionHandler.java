package dev.hato.edge;

import dev.hato.protocol.Action;
import dev.hato.protocol.ProtocolSession;
import dev.hato.protocol.TlsParameters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.compression.JdkZlibEncoder;
import io.netty.handler.codec.compression.ZlibWrapper;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Bridges one Netty channel to one {@link ProtocolSession}. Reading is manual (auto-read off): the next read is
 * requested only when the session finished with the previous input, so a session never sees input concurrently and
 * a client cannot make the server buffer without bound. Actions are consumed one at a time and the next one is
 * requested only while the channel is writable, so a large message streams from the store at the client's pace.
 * All state is touched on the channel's event loop only.
 *
 * <p>Besides the answers to its input, a session may produce {@linkplain ProtocolSession#unsolicited() unsolicited}
 * output (IMAP IDLE). Such actions are performed as they arrive while no answer is being written; otherwise they
 * wait in {@code pushed} until the running answer completed, so the two never interleave.
 *
 * <p>A {@link Deadline} counts from the start of the connection whatever the client sends: when it is reached and no
 * command is running (else as soon as the running one is answered) and the session is not {@linkplain
 * ProtocolSession#busy() busy} (else as soon as it is not, so a message being transferred gets its answer first), the
 * client gets the farewell line and the connection is closed, unless the deadline holds only until login and the
 * session reports one. A session busy for as long again as the deadline is sent away all the same (a client that
 * trickles message content must not escape the deadline); nothing it sent was acknowledged.
 */
final class SessionHandler extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionHandler.class);

    private final String serverName;
    private final ProtocolSession session;
    private final @Nullable SslContext startTls;
    private final @Nullable Deadline deadline;
    private final @Nullable TlsHandshakeMeter startTlsMeter;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private final ArrayDeque<Action> pushed = new ArrayDeque<>();
    private @Nullable PushSubscriber pushes;
    private @Nullable ChannelHandlerContext ctx;
    private @Nullable Scheduler eventLoop;
    private @Nullable ActionSubscriber running;
    private @Nullable ScheduledFuture<?> idleTimer;
    private @Nullable ScheduledFuture<?> deadlineTimer;
    /** The deadline passed. */
    private boolean overdue;
    /** The deadline passed and then as long again: busy or not, the session ends as soon as nothing runs. */
    private boolean pastGrace;
    private boolean closing;
    private boolean tlsStarted;
    private boolean compressing;
    private boolean shuttingDown;
    /** The connection was handed over to another server: bytes are relayed, the session hears nothing more. */
    private @Nullable BackendChannel spliced;

    SessionHandler(String serverName, ProtocolSession session, @Nullable SslContext startTls,
                   @Nullable Deadline deadline, @Nullable TlsHandshakeMeter startTlsMeter) {
        this.serverName = serverName;
        this.startTlsMeter = startTlsMeter;
        this.session = session;
        this.startTls = startTls;
        this.deadline = deadline;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext context) {
        this.ctx = context;
        this.eventLoop = Schedulers.fromExecutor(context.executor());
        context.channel().config().setAutoRead(false);
        if (deadline != null) {
            deadlineTimer = context.executor().schedule(this::deadlineReached, deadline.after().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        SslHandler implicitTls = context.pipeline().get(SslHandler.class);
        if (implicitTls != null) {
            reportTls(implicitTls);
        }
        run(session.open());
        PushSubscriber subscriber = new PushSubscriber();
        pushes = subscriber;
        session.unsolicited().publishOn(eventLoop(), 1).subscribe(subscriber);
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            context.fireChannelRead(msg);
            return;
        }
        BackendChannel backend = spliced;
        if (backend != null) {
            backend.forward(buf, context::read);
            return;
        }
        try {
            if (closing) {
                return;
            }
            byte[] copy = new byte[buf.readableBytes()];
            buf.readBytes(copy);
            pending.add(ByteBuffer.wrap(copy));
        } finally {
            buf.release();
        }
        cancelIdleTimer();
        if (running == null) {
            processPending();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext context) {
        // Reading resumes from whatever finished last: processPending() or the actions of the session.
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext context) {
        ActionSubscriber subscriber = running;
        if (subscriber != null && context.channel().isWritable()) {
            subscriber.resume();
        }
        PushSubscriber pushSubscriber = pushes;
        if (pushSubscriber != null && context.channel().isWritable()) {
            pushSubscriber.resume();
        }
        context.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) {
        closing = true;
        BackendChannel backend = spliced;
        if (backend != null) {
            backend.close();
        }
        cancelIdleTimer();
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
        ActionSubscriber subscriber = running;
        if (subscriber != null) {
            subscriber.dispose();
        }
        PushSubscriber pushSubscriber = pushes;
        if (pushSubscriber != null) {
            pushSubscriber.dispose();
        }
        pushed.clear();
        try {
            session.closed();
        } catch (RuntimeException e) {
            LOG.warn("{}: session cleanup failed", serverName, e);
        }
        context.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        // Resets and TLS failures are the client's business; anything else is a bug worth a stack trace.
        if (cause instanceof java.io.IOException || cause instanceof io.netty.handler.codec.DecoderException) {
            LOG.debug("{}: closing connection from {} after {}", serverName, context.channel().remoteAddress(),
                    cause.toString());
        } else {
            LOG.warn("{}: closing connection from {} after an unexpected error", serverName,
                    context.channel().remoteAddress(), cause);
        }
        closing = true;
        context.close();
    }

    /**
     * Graceful shutdown, from any thread: the session says goodbye as soon as no command is running, so a DATA
     * that is being committed still gets its 250 first.
     */
    void shutdown() {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            return;
        }
        context.executor().execute(() -> {
            if (spliced != null) {
                // The other server's session cannot be ended politely from here: the client reconnects.
                context.close();
                return;
            }
            shuttingDown = true;
            pending.clear();
            if (running == null && !closing) {
                cancelIdleTimer();
                run(session.shutdown());
            }
        });
    }

    boolean isOpen() {
        ChannelHandlerContext context = ctx;
        return context != null && context.channel().isOpen();
    }

    private void processPending() {
        if (spliced != null) {
            return;
        }
        ByteBuffer next = pending.poll();
        if (next == null) {
            if (!closing) {
                armIdleTimer();
                ctx().read();
            }
            return;
        }
        run(session.receive(next));
    }

    private void run(Flux<Action> actions) {
        ActionSubscriber subscriber = new ActionSubscriber();
        running = subscriber;
        actions.publishOn(eventLoop(), 1).subscribe(subscriber);
    }

    private void finished(ActionSubscriber subscriber) {
        if (running != subscriber) {
            return;
        }
        running = null;
        if (spliced != null) {
            return;
        }
        performPushed();
        ctx().flush();
        if (overdue && !closing && !loggedInInTime() && (pastGrace || !session.busy())) {
            sendAway();
        } else if (shuttingDown && !closing) {
            run(session.shutdown());
        } else if (!closing) {
            processPending();
        }
    }

    private void deadlineReached() {
        deadlineTimer = null;
        if (closing || spliced != null || loggedInInTime()) {
            return;
        }
        overdue = true;
        if (running == null && !session.busy()) {
            sendAway();
        } else {
            // A message in transfer may finish, but within as long again: a bound that trickling cannot stretch.
            deadlineTimer = ctx().executor().schedule(this::graceOver, Objects.requireNonNull(deadline).after()
                    .toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void graceOver() {
        deadlineTimer = null;
        if (closing || spliced != null || loggedInInTime()) {
            return;
        }
        pastGrace = true;
        if (running == null) {
            sendAway();
        }
    }

    private boolean loggedInInTime() {
        return deadline != null && deadline.untilLogin() && session.authenticated();
    }

    /** The deadline is over: the farewell, then close; whatever the client sent meanwhile is never executed. */
    private void sendAway() {
        ChannelHandlerContext context = ctx();
        LOG.debug("{}: {} reached its deadline; closing", serverName, context.channel().remoteAddress());
        closing = true;
        pending.clear();
        cancelIdleTimer();
        context.writeAndFlush(Unpooled.copiedBuffer(Objects.requireNonNull(deadline).farewell() + "\r\n",
                StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
    }

    private void armIdleTimer() {
        cancelIdleTimer();
        long millis = session.idleTimeout().toMillis();
        idleTimer = ctx().executor().schedule(() -> {
            idleTimer = null;
            if (running == null && !closing) {
                run(session.idle());
            }
        }, millis, TimeUnit.MILLISECONDS);
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    private void perform(Action action) {
        ChannelHandlerContext context = ctx();
        if (action instanceof Action.Write write) {
            context.write(Unpooled.wrappedBuffer(write.bytes()));
        } else if (action instanceof Action.StartTls tls) {
            startTls(context, tls);
        } else if (action instanceof Action.Compress compress) {
            compress(context, compress);
        } else if (action instanceof Action.Splice splice) {
            splice(context, splice);
        } else {
            closing = true;
            pending.clear();
            context.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void startTls(ChannelHandlerContext context, Action.StartTls tls) {
        if (startTls == null || tlsStarted) {
            throw new IllegalStateException(serverName + ": session asked for STARTTLS on a listener without it");
        }
        tlsStarted = true;
        // RFC 3207 §4.2 / RFC 2595 §4: bytes the client pipelined after the command are discarded, never executed.
        pending.clear();
        // startTls=true: the SslHandler lets exactly one write (our "ready" reply) pass in plain text.
        SslHandler handler = new SslHandler(startTls.newEngine(context.alloc()), true);
        context.pipeline().addFirst("hato.starttls", handler);
        reportTls(handler);
        if (startTlsMeter != null) {
            context.pipeline().addAfter("hato.starttls", TlsHandshakeMeter.NAME, startTlsMeter);
        }
        context.writeAndFlush(Unpooled.wrappedBuffer(tls.reply()));
    }

    /**
     * Tells the session the protocol and cipher suite once the handshake succeeded (at once if it already has). The
     * listener runs on the event loop, before the handler passes on anything decrypted.
     */
    private void reportTls(SslHandler handler) {
        handler.handshakeFuture().addListener(done -> {
            if (done.isSuccess() && !closing) {
                SSLSession tls = handler.engine().getSession();
                try {
                    session.tlsEstablished(new TlsParameters(tls.getProtocol(), tls.getCipherSuite()));
                } catch (RuntimeException e) {
                    LOG.warn("{}: session failed to take the TLS parameters", serverName, e);
                }
                sendWhatIsDueAfterTls();
            }
        });
    }

    /**
     * The session's output due once TLS is up (ManageSieve's capabilities, RFC 5804 §2.2) runs as a command's answer
     * does: input that arrived with the handshake's last flight waits in {@code pending} until it is written.
     */
    private void sendWhatIsDueAfterTls() {
        Flux<Action> due = session.afterTlsEstablished();
        if (due == null) {
            return;
        }
        if (running == null) {
            run(due);
        } else {
            due.publishOn(eventLoop()).subscribe(this::push);
        }
    }

    private void compress(ChannelHandlerContext context, Action.Compress compress) {
        if (compressing) {
            throw new IllegalStateException(serverName + ": session asked for compression twice");
        }
        compressing = true;
        // RFC 4978 §3: the client starts compressing only after the tagged OK, so anything it sent before that was
        // not compressed input for the session and must not be executed.
        pending.clear();
        // The reply leaves uncompressed; both codecs sit right in front of this handler (after TLS when TLS is on).
        context.writeAndFlush(Unpooled.wrappedBuffer(compress.reply()));
        // Raw DEFLATE (no zlib header, RFC 1951); the encoder ends every write with a sync flush so each response is
        // decodable at once, and the inflater hands out one bounded piece per read this handler asks for.
        context.pipeline().addBefore(context.name(), "hato.inflate", new InflateHandler());
        context.pipeline().addBefore(context.name(), "hato.deflate", new JdkZlibEncoder(ZlibWrapper.NONE));
    }

    /**
     * Hands the connection over to the server the session logged in to: the reply goes out, then what the client
     * pipelined after its command, and from then on bytes are relayed both ways; timers and pushes stop.
     */
    private void splice(ChannelHandlerContext context, Action.Splice splice) {
        if (!(splice.backend() instanceof BackendChannel backend) || spliced != null || compressing) {
            throw new IllegalStateException(serverName + ": a session asked to splice what the edge cannot");
        }
        spliced = backend;
        cancelIdleTimer();
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
            deadlineTimer = null;
        }
        PushSubscriber pushSubscriber = pushes;
        if (pushSubscriber != null) {
            pushSubscriber.dispose();
        }
        pushed.clear();
        context.write(Unpooled.wrappedBuffer(splice.reply()));
        ByteBuf early = Unpooled.buffer();
        early.writeBytes(splice.unread());
        ByteBuffer piece;
        while ((piece = pending.poll()) != null) {
            early.writeBytes(piece);
        }
        backend.splice(context.channel());
        context.flush();
        if (early.isReadable()) {
            backend.forward(early, context::read);
        } else {
            early.release();
            context.read();
        }
    }

    /** Performs unsolicited actions that arrived while an answer was being written. */
    private void performPushed() {
        Action action;
        while (!closing && (action = pushed.poll()) != null) {
            perform(action);
        }
        pushed.clear();
    }

    private void push(Action action) {
        if (closing || spliced != null) {
            return;
        }
        if (running != null) {
            pushed.add(action);
            return;
        }
        perform(action);
        if (!closing) {
            ctx().flush();
        }
    }

    private ChannelHandlerContext ctx() {
        ChannelHandlerContext context = ctx;
        if (context == null) {
            throw new IllegalStateException("handler not added");
        }
        return context;
    }

    private Scheduler eventLoop() {
        Scheduler scheduler = eventLoop;
        if (scheduler == null) {
            throw new IllegalStateException("handler not added");
        }
        return scheduler;
    }

    /** Performs actions one by one, asking for the next only while the socket accepts more. */
    private final class ActionSubscriber extends BaseSubscriber<Action> {
        private boolean waitingForWritability;
        private @Nullable ScheduledFuture<?> stall;

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(1);
        }

        @Override
        protected void hookOnNext(Action action) {
            if (closing && !(action instanceof Action.Close)) {
                request(1);
                return;
            }
            perform(action);
            if (action instanceof Action.Close) {
                dispose();
                finished(this);
                return;
            }
            ChannelHandlerContext context = ctx();
            if (context.channel().isWritable()) {
                request(1);
            } else {
                waitingForWritability = true;
                // A client that stops reading (say in the middle of a large RETR) must not hold the connection,
                // its buffers and its mailbox lock for ever: the idle timeout applies to writing too.
                stall = context.executor().schedule(() -> {
                    LOG.debug("{}: {} stopped reading; closing", serverName, context.channel().remoteAddress());
                    closing = true;
                    context.close();
                }, session.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
                context.flush();
            }
        }

        void resume() {
            if (waitingForWritability) {
                waitingForWritability = false;
                if (stall != null) {
                    stall.cancel(false);
                    stall = null;
                }
                request(1);
            }
        }

        @Override
        protected void hookOnComplete() {
            finished(this);
        }

        @Override
        protected void hookOnError(Throwable error) {
            LOG.warn("{}: session failed for {}; closing the connection", serverName,
                    ctx().channel().remoteAddress(), error);
            closing = true;
            ctx().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            finished(this);
        }
    }

    /**
     * Writes the session's unsolicited actions one at a time; the next is requested only while the socket accepts
     * more, so a client that stops reading during IDLE cannot make the server queue without bound.
     */
    private final class PushSubscriber extends BaseSubscriber<Action> {
        private boolean waitingForWritability;

        @Override
        protected void hookOnSubscribe(Subscription subscription) {
            request(1);
        }

        @Override
        protected void hookOnNext(Action action) {
            push(action);
            if (closing) {
                dispose();
            } else if (ctx().channel().isWritable()) {
                request(1);
            } else {
                waitingForWritability = true;
            }
        }

        void resume() {
            if (waitingForWritability) {
                waitingForWritability = false;
                request(1);
            }
        }

        @Override
        protected void hookOnError(Throwable error) {
            LOG.warn("{}: unsolicited output failed for {}; closing the connection", serverName,
                    ctx().channel().remoteAddress(), error);
            closing = true;
            ctx().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
