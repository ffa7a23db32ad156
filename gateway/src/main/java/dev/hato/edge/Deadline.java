package dev.hato.edge;

import java.time.Duration;
import java.util.Objects;

/**
 * A time limit counted from the connection's start, whatever the client sends meanwhile (the idle timer alone is
 * reset by every byte, so a client trickling one byte a minute would keep a connection for ever).
 *
 * @param after      how long after the connection started
 * @param untilLogin true: the limit stops counting once the session reports a successful login; false: it holds for
 *                   the whole connection
 * @param farewell   the line sent before closing (the protocol's own: {@code * BYE}, {@code -ERR}, {@code 421})
 */
record Deadline(Duration after, boolean untilLogin, String farewell) {
    Deadline {
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(farewell, "farewell");
        if (after.isNegative() || after.isZero()) {
            throw new IllegalArgumentException("a deadline must be positive, not " + after);
        }
    }
}
