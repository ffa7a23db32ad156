package dev.hato.outbound.transport;

import dev.hato.outbound.client.SmtpConnector;
import dev.hato.outbound.client.SmtpTransport;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.time.Duration;
import reactor.core.publisher.Mono;
import reactor.netty.tcp.TcpClient;

/** Opens SMTP client connections with Reactor Netty's {@link TcpClient}. */
public final class NettySmtpConnector implements SmtpConnector {

    /** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; some servers send longer ones, none this long. */
    private static final int MAX_LINE = 8192;

    private final ClientTls tls;
    private final Duration connectTimeout;
    private final Duration replyTimeout;

    public NettySmtpConnector(ClientTls tls, Duration connectTimeout, Duration replyTimeout) {
        this.tls = tls;
        this.connectTimeout = connectTimeout;
        this.replyTimeout = replyTimeout;
    }

    @Override
    public Mono<SmtpTransport> connect(String hostName, InetSocketAddress address, boolean implicitTls,
                                       boolean verify) {
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
