package dev.hato.edge;

import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The most connections several listeners may hold together: the process's budget of sockets and memory, beside each
 * listener's limit per client address (which alone lets many addresses together take everything). Thread-safe; one
 * per server, given to every listener. A {@linkplain #share(int) share} of it bounds some listeners to a part of the
 * budget, so that they cannot take all of it from the others.
 */
public final class ConnectionCap {

    private final int limit;
    private final @Nullable ConnectionCap whole;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionCap(int limit) {
        this(limit, null);
    }

    private ConnectionCap(int limit, @Nullable ConnectionCap whole) {
        if (limit < 1) {
            throw new IllegalArgumentException("the connection cap must be at least 1, not " + limit);
        }
        this.limit = limit;
        this.whole = whole;
    }

    /** No cap. */
    public static ConnectionCap unlimited() {
        return new ConnectionCap(Integer.MAX_VALUE);
    }

    /**
     * A part of this cap: its connections count against both, so the listeners given the share hold at most
     * {@code shareLimit} connections (fewer when the others hold the rest of this cap), and the listeners given this
     * cap itself always keep the rest for themselves.
     */
    public ConnectionCap share(int shareLimit) {
        return new ConnectionCap(Math.min(shareLimit, limit), this);
    }

    /**
     * Counts a new connection, or counts nothing and answers false when the cap, or the whole it is a share of, is
     * reached.
     */
    boolean tryOpen() {
        while (true) {
            int now = open.get();
            if (now >= limit) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                break;
            }
        }
        if (whole != null && !whole.tryOpen()) {
            open.decrementAndGet();
            return false;
        }
        return true;
    }

    /** A connection counted by {@link #tryOpen()} is gone. */
    void closed() {
        open.decrementAndGet();
        if (whole != null) {
            whole.closed();
        }
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    public int limit() {
        return limit;
    }
}
