package dev.hato.edge;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The most connections several listeners may hold together: the process's budget of sockets and memory, beside each
 * listener's limit per client address (which alone lets many addresses together take everything). Thread-safe; one
 * per server, given to every listener.
 */
public final class ConnectionCap {

    private final int limit;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionCap(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the connection cap must be at least 1, not " + limit);
        }
        this.limit = limit;
    }

    /** No cap. */
    public static ConnectionCap unlimited() {
        return new ConnectionCap(Integer.MAX_VALUE);
    }

    /** Counts a new connection, or counts nothing and answers false when the cap is reached. */
    boolean tryOpen() {
        while (true) {
            int now = open.get();
            if (now >= limit) {
                return false;
            }
            if (open.compareAndSet(now, now + 1)) {
                return true;
            }
        }
    }

    /** A connection counted by {@link #tryOpen()} is gone. */
    void closed() {
        open.decrementAndGet();
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    public int limit() {
        return limit;
    }
}
