package dev.hato.edge;

import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.ProtocolSession;
import io.netty.handler.ssl.SslContext;
import io.netty.buffer.Unpooled;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.channel.ChannelFutureListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.NettyPipeline;
import reactor.netty.tcp.TcpServer;

/**
 * An immutable description of one listener; every call returns a new value and nothing is bound until
 * {@link #bind()}, as with reactor-netty's own builders.
 */
public final class ProtocolServer {

    /** Everything a listener is made of; each builder call copies it with one value changed. */
    private record Spec(String name, Function<ConnectionInfo, ProtocolSession> sessions, String host, int port,
                        @Nullable SslContext implicitTls, @Nullable SslContext startTls,
                        int maxConnectionsPerAddress, String tooManyConnectionsReply, ConnectionCap cap,
                        String capReply, @Nullable Deadline deadline, Refusals refusals, MeterRegistry meters,
                        String protocol) {

        Spec withAddress(String newHost, int newPort) {
            return new Spec(name, sessions, newHost, newPort, implicitTls, startTls, maxConnectionsPerAddress,
                    tooManyConnectionsReply, cap, capReply, deadline, refusals, meters,
                    protocol);
        }

        Spec withTls(@Nullable SslContext implicit, @Nullable SslContext onRequest) {
            return new Spec(name, sessions, host, port, implicit, onRequest, maxConnectionsPerAddress,
                    tooManyConnectionsReply, cap, capReply, deadline, refusals, meters, protocol);
        }

        Spec withPerAddress(int limit, String reply) {
            return new Spec(name, sessions, host, port, implicitTls, startTls, limit, reply, cap, capReply, deadline,
                    refusals, meters, protocol);
        }

        Spec withCap(ConnectionCap newCap, String reply) {
            return new Spec(name, sessions, host, port, implicitTls, startTls, maxConnectionsPerAddress,
                    tooManyConnectionsReply, newCap, reply, deadline, refusals, meters, protocol);
        }

        Spec withDeadline(Deadline newDeadline) {
            return new Spec(name, sessions, host, port, implicitTls, startTls, maxConnectionsPerAddress,
                    tooManyConnectionsReply, cap, capReply, newDeadline, refusals, meters, protocol);
        }

        Spec withRefusals(Refusals newRefusals) {
            return new Spec(name, sessions, host, port, implicitTls, startTls, maxConnectionsPerAddress,
                    tooManyConnectionsReply, cap, capReply, deadline, newRefusals, meters, protocol);
        }

        Spec withMeters(MeterRegistry newMeters, String newProtocol) {
            return new Spec(name, sessions, host, port, implicitTls, startTls, maxConnectionsPerAddress,
                    tooManyConnectionsReply, cap, capReply, deadline, refusals, newMeters, newProtocol);
        }
    }

    private final Spec spec;

    private ProtocolServer(Spec spec) {
        this.spec = spec;
    }

    /** A listener named {@code name} (for logs and the banner) that starts one session per connection. */
    public static ProtocolServer create(String name, Function<ConnectionInfo, ProtocolSession> sessions) {
        return new ProtocolServer(new Spec(name, sessions, "127.0.0.1", 0, null, null, Integer.MAX_VALUE, "",
                ConnectionCap.unlimited(), "", null, Refusals.NONE, new CompositeMeterRegistry(),
                name));
    }

    /** The listener's name, as given to {@link #create}. */
    public String name() {
        return spec.name;
    }

    public ProtocolServer host(String newHost) {
        return new ProtocolServer(spec.withAddress(newHost, spec.port));
    }

    public ProtocolServer port(int newPort) {
        return new ProtocolServer(spec.withAddress(spec.host, newPort));
    }

    /** TLS from the first byte (the 465/993/995 roles). */
    public ProtocolServer implicitTls(SslContext context) {
        return new ProtocolServer(spec.withTls(context, null));
    }

    /** TLS on the session's request (STARTTLS, STLS). */
    public ProtocolServer startTls(SslContext context) {
        return new ProtocolServer(spec.withTls(null, context));
    }

    /**
     * At most {@code limit} simultaneous connections from one client address; the next one gets {@code reply}
     * (the protocol's temporary refusal, one line) and is closed before any session starts.
     */
    public ProtocolServer maxConnectionsPerAddress(int limit, String reply) {
        if (limit < 1) {
            throw new IllegalArgumentException("the connection limit per address must be at least 1");
        }
        return new ProtocolServer(spec.withPerAddress(limit, reply));
    }

    /**
     * Counts this listener's connections against {@code cap}, which other listeners may share; a connection over it
     * gets {@code reply} (one line, the protocol's temporary refusal) and is closed before any session starts.
     */
    public ProtocolServer maxConnections(ConnectionCap cap, String reply) {
        return new ProtocolServer(spec.withCap(cap, reply));
    }

    /**
     * A client that has not logged in {@code after} its connection started gets {@code farewell} (one line) and is
     * closed, however busy it keeps the connection; once the session reports a {@linkplain
     * ProtocolSession#authenticated() login} the limit is gone. A command still running is answered first (a login
     * that succeeds then keeps the connection), and a {@linkplain ProtocolSession#busy() busy} session may finish
     * within as long again as {@code after}.
     */
    public ProtocolServer loginDeadline(Duration after, String farewell) {
        return new ProtocolServer(spec.withDeadline(new Deadline(after, true, farewell)));
    }

    /**
     * Every connection gets {@code farewell} (one line) and is closed {@code after} it started, logged in or not; a
     * command still running (a message being committed) is answered first, and a message still being transferred
     * ({@linkplain ProtocolSession#busy() busy}) gets its answer first too, within as long again as {@code after}.
     */
    public ProtocolServer sessionDeadline(Duration after, String farewell) {
        return new ProtocolServer(spec.withDeadline(new Deadline(after, false, farewell)));
    }

    /**
     * Where this listener reports the connections it refuses before any session starts (the limits above), each with
     * the reply it sent; the SMTP listeners' go to the mail log. Called on the event loop: it must return at once.
     */
    public ProtocolServer onRefusal(Refusals refusals) {
        return new ProtocolServer(spec.withRefusals(refusals));
    }

    /** Hears of connections refused at the door. */
    @FunctionalInterface
    public interface Refusals {

        /** Reports nothing. */
        Refusals NONE = (connection, reply) -> { };

        /** {@code connection} was sent {@code reply} and closed; it must not block or throw. */
        void refused(ConnectionInfo connection, String reply);
    }

    /**
     * Where this listener's meters go ({@link ListenerMeters}, {@link TlsHandshakeMeter}), tagged with its name and
     * {@code protocol} ("smtp", "pop3", "imap"); by default nowhere.
     */
    public ProtocolServer meters(MeterRegistry meters, String protocol) {
        return new ProtocolServer(spec.withMeters(meters, protocol));
    }

    public Mono<BoundServer> bind() {
        Set<SessionHandler> handlers = ConcurrentHashMap.newKeySet();
        Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
        SslContext implicitTls = spec.implicitTls;
        ListenerMeters meters = new ListenerMeters(spec.meters, spec.name, spec.protocol, implicitTls != null,
                spec.startTls != null);
        TlsHandshakeMeter startTlsMeter = meters.startTls();
        TlsHandshakeMeter implicitTlsMeter = meters.implicitTls();
        TcpServer server = TcpServer.create()
                .host(spec.host)
                .port(spec.port)
                .doOnChannelInit((observer, channel, remote) -> {
                    meters.opened();
                    channel.closeFuture().addListener(closed -> meters.closed());
                    if (implicitTlsMeter != null && channel.pipeline().get(NettyPipeline.SslHandler) != null) {
                        channel.pipeline().addAfter(NettyPipeline.SslHandler, TlsHandshakeMeter.NAME,
                                implicitTlsMeter);
                    }
                })
                .doOnConnection(connection -> {
                    var channel = connection.channel();
                    var info = new ConnectionInfo((InetSocketAddress) channel.remoteAddress(),
                            (InetSocketAddress) channel.localAddress(), implicitTls != null);
                    if (!spec.cap.tryOpen()) {
                        meters.refusedCapacity();
                        refuse(channel, spec.capReply);
                        spec.refusals.refused(info, spec.capReply);
                        return;
                    }
                    connection.onDispose(spec.cap::closed);
                    InetAddress client = info.remote().getAddress();
                    AtomicInteger open = perAddress.computeIfAbsent(client, address -> new AtomicInteger());
                    connection.onDispose(() -> {
                        if (open.decrementAndGet() == 0) {
                            perAddress.remove(client, open);
                        }
                    });
                    if (open.incrementAndGet() > spec.maxConnectionsPerAddress) {
                        meters.refusedPerAddress();
                        refuse(channel, spec.tooManyConnectionsReply);
                        spec.refusals.refused(info, spec.tooManyConnectionsReply);
                        return;
                    }
                    SessionHandler handler = new SessionHandler(spec.name, spec.sessions.apply(info), spec.startTls,
                            spec.deadline, startTlsMeter);
                    handlers.add(handler);
                    connection.onDispose(() -> handlers.remove(handler));
                    connection.addHandlerLast("hato.session", handler);
                })
                .handle((in, out) -> Mono.never());
        if (implicitTls != null) {
            SslContext context = implicitTls;
            server = server.secure(spec -> spec.sslContext(context).handshakeTimeout(Duration.ofSeconds(30)));
        }
        return server.bind().map(disposable -> new BoundServer(spec.name, disposable, implicitTls != null,
                handlers));
    }

    private static void refuse(io.netty.channel.Channel channel, String reply) {
        channel.writeAndFlush(Unpooled.copiedBuffer(reply + "\r\n", StandardCharsets.US_ASCII))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** A listening socket; {@link #close()} stops accepting and closes its connections. */
    public static final class BoundServer implements AutoCloseable {
        private final String name;
        private final DisposableServer server;
        private final boolean implicitTls;
        private final Set<SessionHandler> handlers;

        BoundServer(String name, DisposableServer server, boolean implicitTls, Set<SessionHandler> handlers) {
            this.name = name;
            this.server = server;
            this.implicitTls = implicitTls;
            this.handlers = handlers;
        }

        public String name() {
            return name;
        }

        public InetSocketAddress address() {
            return (InetSocketAddress) server.address();
        }

        public int port() {
            return address().getPort();
        }

        public boolean implicitTls() {
            return implicitTls;
        }

        /**
         * Stops accepting, lets every session finish the command it is running (a message being committed gets
         * its 250) and say goodbye, waits up to {@code grace} for the connections to close, then closes the rest.
         */
        public void close(Duration grace) {
            server.channel().close().awaitUninterruptibly(grace.toMillis());
            handlers.forEach(SessionHandler::shutdown);
            long deadline = System.nanoTime() + grace.toNanos();
            while (handlers.stream().anyMatch(SessionHandler::isOpen) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            server.disposeNow(grace);
        }

        @Override
        public void close() {
            close(Duration.ofSeconds(10));
        }
    }
}
