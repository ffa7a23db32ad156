package dev.hato.app;

import dev.hato.tls.ServerTls;
import java.time.Duration;
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
    private volatile @Nullable DisposableServer server;

    /**
     * {@code site}: builds the site given this listener, whose bound port the site shows in its set-up pages.
     * {@code idleTimeout}: a connection that has sent no complete request header for this long, from connecting or
     * since its last response, is closed ({@code hato.http.idle-timeout}).
     */
    WebmailListener(String bindAddress, int port, ServerTls tls, Duration idleTimeout,
                    Function<WebmailListener, HttpHandler> site) {
        this.bindAddress = bindAddress;
        this.configuredPort = port;
        this.idleTimeout = idleTimeout;
        this.tls = tls;
        this.handler = site.apply(this);
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
                    .httpRequestDecoder(spec -> spec.maxHeaderSize(MAX_HEADER_SIZE))
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
