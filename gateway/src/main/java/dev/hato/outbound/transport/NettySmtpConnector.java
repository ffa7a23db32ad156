package dev.hato.outbound.transport;

import dev.hato.outbound.client.SmtpConnector;
import dev.hato.outbound.client.SmtpTransport;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.tcp.TcpClient;

/** Opens SMTP client connections with Reactor Netty's {@link TcpClient}. */
public final class NettySmtpConnector implements SmtpConnector {

    /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; some servers send longer ones, none this long. */
    private static final int MAX_LINE = 8192;

    /** Most trust sets kept: one per legacy system, which are a handful. */
    private static final int MAX_TRUSTED = 32;

    private final ClientTls tls;
    /** The TLS contexts of each legacy system's trusted certificates (PEM text), built once each. */
    private final Map<String, ClientTls> trusted = new ConcurrentHashMap<>();
    private final Duration connectTimeout;
    private final Duration replyTimeout;

    public NettySmtpConnector(ClientTls tls, Duration connectTimeout, Duration replyTimeout) {
        this.tls = tls;
        this.connectTimeout = connectTimeout;
        this.replyTimeout = replyTimeout;
    }

    @Override
    public Mono<SmtpTransport> connect(String hostName, InetSocketAddress address, boolean implicitTls,
                                       boolean verify, @Nullable String trustPem) {
        return tls(trustPem).flatMap(contexts -> connect(hostName, address, implicitTls, verify, contexts));
    }

    /**
     * The contexts that trust {@code pem} (null: the outbound ones). Built on a worker: it reads the JVM's CA file,
     * which must not happen on an event loop.
     */
    private Mono<ClientTls> tls(@Nullable String pem) {
        if (pem == null) {
            return Mono.just(tls);
        }
        ClientTls known = trusted.get(pem);
        if (known != null) {
            return Mono.just(known);
        }
        return Mono.fromCallable(() -> tls.trusting(pem, "a legacy system's trusted certificates"))
                .subscribeOn(Schedulers.boundedElastic())
                .doOnNext(built -> {
                    if (trusted.size() >= MAX_TRUSTED) {
                        trusted.clear(); // certificates replaced many times over: start again
                    }
                    trusted.putIfAbsent(pem, built);
                });
    }

    private Mono<SmtpTransport> connect(String hostName, InetSocketAddress address, boolean implicitTls,
                                        boolean verify, ClientTls tls) {
        return TcpClient.create()
                .remoteAddress(() -> address)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.toIntExact(connectTimeout.toMillis()))
                .doOnConnected(connection -> connection.addHandlerLast("lines", new LineBasedFrameDecoder(MAX_LINE)))
                .connect()
                .flatMap(connection -> {
                    NettySmtpTransport transport = new NettySmtpTransport(connection, hostName, address, tls,
                            replyTimeout);
                    transport.start();
                    Mono<Void> ready = implicitTls ? transport.handshake(verify) : Mono.empty();
                    return ready.thenReturn((SmtpTransport) transport)
                            .doOnError(error -> connection.dispose());
                });
    }
}
