package dev.hato.edge;

import dev.hato.protocol.ConnectionInfo;
import dev.hato.protocol.ProtocolSession;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpServer;

/**
 * An immutable description of one listener; every call returns a new value and nothing is bound until
 * {@link #bind()}, as with reactor-netty's own builders.
 */
public final class ProtocolServer {

    private final String name;
    private final Function<ConnectionInfo, ProtocolSession> sessions;
    private final String host;
    private final int port;
    private final @Nullable SslContext implicitTls;
    private final @Nullable SslContext startTls;

    private ProtocolServer(String name, Function<ConnectionInfo, ProtocolSession> sessions, String host, int port,
                           @Nullable SslContext implicitTls, @Nullable SslContext startTls) {
        this.name = name;
        this.sessions = sessions;
        this.host = host;
        this.port = port;
        this.implicitTls = implicitTls;
        this.startTls = startTls;
    }

    /** A listener named {@code name} (for logs and the banner) that starts one session per connection. */
    public static ProtocolServer create(String name, Function<ConnectionInfo, ProtocolSession> sessions) {
        return new ProtocolServer(name, sessions, "127.0.0.1", 0, null, null);
    }

    public ProtocolServer host(String newHost) {
        return new ProtocolServer(name, sessions, newHost, port, implicitTls, startTls);
    }

    public ProtocolServer port(int newPort) {
        return new ProtocolServer(name, sessions, host, newPort, implicitTls, startTls);
    }

    /** TLS from the first byte (the 465/993/995 roles). */
    public ProtocolServer implicitTls(SslContext context) {
        return new ProtocolServer(name, sessions, host, port, context, null);
    }

    /** TLS on the session's request (STARTTLS, STLS). */
    public ProtocolServer startTls(SslContext context) {
        return new ProtocolServer(name, sessions, host, port, null, context);
    }

    public Mono<BoundServer> bind() {
        Set<SessionHandler> handlers = ConcurrentHashMap.newKeySet();
        TcpServer server = TcpServer.create()
                .host(host)
                .port(port)
                .doOnConnection(connection -> {
                    var channel = connection.channel();
                    var info = new ConnectionInfo((InetSocketAddress) channel.remoteAddress(),
                            (InetSocketAddress) channel.localAddress(), implicitTls != null);
                    ProtocolSession session = sessions.apply(info);
                    SessionHandler handler = new SessionHandler(name, session, startTls);
                    handlers.add(handler);
                    connection.onDispose(() -> handlers.remove(handler));
                    connection.addHandlerLast("hato.session", handler);
                })
                .handle((in, out) -> Mono.never());
        if (implicitTls != null) {
            SslContext context = implicitTls;
            server = server.secure(spec -> spec.sslContext(context).handshakeTimeout(Duration.ofSeconds(30)));
        }
        return server.bind().map(disposable -> new BoundServer(name, disposable, implicitTls != null, handlers));
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
