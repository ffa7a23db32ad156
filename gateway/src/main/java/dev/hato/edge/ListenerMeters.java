package dev.hato.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The meters of one listener (docs/operations.md, "Monitoring"): connections accepted, open now, and refused by
 * the connection limits. Tags are the listener's name and its protocol, both from the code, so the number of series
 * is fixed. Counting is an increment on the event loop; nothing here does IO.
 */
final class ListenerMeters {

    private final Counter opened;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter refusedPerAddress;
    private final Counter refusedCapacity;
    private final @Nullable TlsHandshakeMeter implicitTls;
    private final @Nullable TlsHandshakeMeter startTls;

    /** {@code implicitTls}, {@code startTls}: which handshakes the listener has, so only theirs get series. */
    ListenerMeters(MeterRegistry meters, String listener, String protocol, boolean implicitTls, boolean startTls) {
        opened = Counter.builder("hato.connections").description("Connections accepted by a listener")
                .tag("listener", listener).tag("protocol", protocol).register(meters);
        Gauge.builder("hato.connections.active", open, AtomicInteger::get)
                .description("Connections open now on a listener, refused ones included until they close")
                .tag("listener", listener).tag("protocol", protocol).register(meters);
        refusedPerAddress = refused(meters, listener, protocol, "per_address");
        refusedCapacity = refused(meters, listener, protocol, "capacity");
        this.implicitTls = implicitTls ? new TlsHandshakeMeter(meters, listener, "implicit") : null;
        this.startTls = startTls ? new TlsHandshakeMeter(meters, listener, "starttls") : null;
    }

    private static Counter refused(MeterRegistry meters, String listener, String protocol, String reason) {
        return Counter.builder("hato.connections.refused")
                .description("Connections sent away by a connection limit before any session started")
                .tag("listener", listener).tag("protocol", protocol).tag("reason", reason).register(meters);
    }

    /** A connection was accepted; {@link #closed()} follows when it closes. */
    void opened() {
        opened.increment();
        open.incrementAndGet();
    }

    void closed() {
        open.decrementAndGet();
    }

    void refusedPerAddress() {
        refusedPerAddress.increment();
    }

    void refusedCapacity() {
        refusedCapacity.increment();
    }

    @Nullable TlsHandshakeMeter implicitTls() {
        return implicitTls;
    }

    @Nullable TlsHandshakeMeter startTls() {
        return startTls;
    }
}
