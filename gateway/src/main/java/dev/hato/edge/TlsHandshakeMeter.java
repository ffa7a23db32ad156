package dev.hato.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLHandshakeException;

/**
 * Counts the TLS handshakes of one listener and mode (implicit TLS or STARTTLS) as {@code hato.tls.handshakes}
 * by outcome: {@code success} with the protocol version negotiated, or {@code failure} with a reason —
 * {@code timeout} (the handshake timeout ran out), {@code closed} (the client went away during the handshake) or
 * {@code error} (anything else: no common cipher or version, a bad message, an alert). It sits right after the
 * {@link SslHandler}, sees the handler's completion event once per connection and removes itself. Versions outside
 * the known few count as {@code other}, so a client cannot add series.
 */
@ChannelHandler.Sharable
final class TlsHandshakeMeter extends ChannelInboundHandlerAdapter {

    static final String NAME = "hato.tls.meter";

    private static final List<String> VERSIONS = List.of("TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1", "other");
    private static final List<String> REASONS = List.of("timeout", "closed", "error");

    private final Map<String, Counter> successes = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();

    TlsHandshakeMeter(MeterRegistry meters, String listener, String mode) {
        for (String version : VERSIONS) {
            successes.put(version, counter(meters, listener, mode, "success", version, "none"));
        }
        for (String reason : REASONS) {
            failures.put(reason, counter(meters, listener, mode, "failure", "unknown", reason));
        }
    }

    private static Counter counter(MeterRegistry meters, String listener, String mode, String outcome,
                                   String version, String reason) {
        return Counter.builder("hato.tls.handshakes")
                .description("TLS handshakes by listener, mode (implicit or starttls), outcome, version and reason")
                .tag("listener", listener).tag("mode", mode).tag("outcome", outcome).tag("version", version)
                .tag("reason", reason).register(meters);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event instanceof SslHandshakeCompletionEvent completion) {
            if (completion.isSuccess()) {
                SslHandler ssl = context.pipeline().get(SslHandler.class);
                String version = ssl == null ? "other" : ssl.engine().getSession().getProtocol();
                successes.getOrDefault(version, successes.get("other")).increment();
            } else {
                failures.get(reason(completion.cause())).increment();
            }
            context.fireUserEventTriggered(event);
            context.pipeline().remove(this);
            return;
        }
        context.fireUserEventTriggered(event);
    }

    private static String reason(Throwable cause) {
        if (cause instanceof SslHandshakeTimeoutException) {
            return "timeout";
        }
        if (cause instanceof ClosedChannelException || (cause instanceof SSLHandshakeException
                && cause.getMessage() != null && cause.getMessage().startsWith("Connection closed"))) {
            return "closed";
        }
        return "error";
    }
}
