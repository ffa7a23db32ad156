package dev.hato.app;

import dev.hato.tls.ServerTls;
import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.server.reactive.HttpHandler;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The webmail's HTTPS listener ({@code hato.ports.https} on {@code hato.bind-address}): Reactor Netty with the same
 * BouncyCastle TLS context as IMAPS, POP3S and SMTPS, serving only the webmail site ({@link dev.hato.web.site.WebSite});
 * the plain HTTP port redirects webmail requests here. Bound when the application starts, closed when it stops.
 */
final class WebmailListener implements SmartLifecycle {

    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
    static final int MAX_HEADER_SIZE = 16 * 1024;

    private final String bindAddress;
    private final int configuredPort;
    private final Duration idleTimeout;
    private final ServerTls tls;
    private final HttpHandler handler;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private volatile @Nullable DisposableServer server;

    /**
     * {@code site}: builds the site given this listener, whose bound port the site shows in its set-up pages.
     * {@code idleTimeout}: a connection that has sent no complete request header for this long, from connecting or
     * since its last response, is closed ({@code hato.http.idle-timeout}).
     */
    WebmailListener(String bindAddress, int port, ServerTls tls, Duration idleTimeout, int maxConnections,
                    int maxConnectionsPerAddress, Function<WebmailListener, HttpHandler> site) {
        this.bindAddress = bindAddress;
        this.configuredPort = port;
        this.idleTimeout = idleTimeout;
        this.tls = tls;
        this.maxConnections = maxConnections;
        this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        this.handler = site.apply(this);
    }

    /**
     * Counts a new connection against {@code hato.max-connections} and {@code hato.max-connections-per-address}, as
     * the mail listeners do; one over either is closed at once (before TLS: there is nobody to answer yet).
     */
    private void admit(Channel channel) {
        if (!(channel.remoteAddress() instanceof InetSocketAddress remote)) {
            return;
        }
        InetAddress client = remote.getAddress();
        AtomicInteger fromClient = perAddress.computeIfAbsent(client, address -> new AtomicInteger());
        int total = open.incrementAndGet();
        int mine = fromClient.incrementAndGet();
        channel.closeFuture().addListener(closed -> {
            open.decrementAndGet();
            if (fromClient.decrementAndGet() == 0) {
                perAddress.remove(client, fromClient);
            }
        });
        if (total > maxConnections || mine > maxConnectionsPerAddress) {
            channel.close();
        }
    }

    /**
     * Whether a response may be compressed (when the browser accepts gzip or deflate): the site's own style sheets and
     * scripts, which carry nothing secret. Pages are not: a compressed page holding a secret (the CSRF token) and text
     * an attacker chooses (a search) would let its length tell the secret (BREACH).
     */
    static boolean compressed(String uri) {
        return uri.startsWith("/webjars/") || uri.startsWith("/static/");
    }

    /** The bound port once started (a configured 0 picks a free one), else the configured port. */
    int port() {
        DisposableServer bound = server;
        return bound != null ? bound.port() : configuredPort;
    }

    String address() {
        DisposableServer bound = server;
        return bound != null ? bound.host() + ":" + bound.port() : bindAddress + ":" + configuredPort;
    }

    @Override
    public synchronized void start() {
        if (server != null) {
            return;
        }
        try {
            server = HttpServer.create().host(bindAddress).port(configuredPort)
                    .secure(spec -> spec.sslContext(tls.sslContext()).handshakeTimeout(HANDSHAKE_TIMEOUT))
                    .idleTimeout(idleTimeout)
                    .doOnChannelInit((observer, channel, remote) -> admit(channel))
                    .httpRequestDecoder(spec -> spec.maxHeaderSize(MAX_HEADER_SIZE))
                    .compress((request, response) -> compressed(request.uri()))
                    .handle(new ReactorHttpHandlerAdapter(handler))
                    .bindNow(Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot bind the webmail HTTPS listener on " + bindAddress + ":"
                    + configuredPort + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void stop() {
        DisposableServer bound = server;
        if (bound != null) {
            server = null;
            bound.disposeNow(Duration.ofSeconds(10));
        }
    }

    @Override
    public boolean isRunning() {
        return server != null;
    }
}
