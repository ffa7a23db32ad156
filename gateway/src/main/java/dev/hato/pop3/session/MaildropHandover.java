package dev.hato.pop3.session;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

/**
 * The POP3 maildrop leases held by sessions of this gateway node, so that a login that finds its maildrop leased can
 * tell a holder whose connection is gone or going (the client dropped it, timed out, sent QUIT) from a live one.
 *
 * <p>Why: a client that loses its connection reconnects at once (fetchmail, Python's poplib and phones do after a
 * timeout), while its old session is still giving the lease back to the database. Answering that login
 * {@code -ERR [IN-USE]} (RFC 2449 §8.1.1) would lock the user out for no reason; RFC 1939 §8 asks for an exclusive
 * lock, not for refusing its next holder while the previous one lets go. So such a login waits, without blocking a
 * thread, for the old session's release — at most {@link #patience()} — and then tries the lease again. The client's
 * close and its new login arrive on two connections, which the server may read in either order (on a busy node the
 * close can come second), so a holder that still looks live is given {@link #GRACE} to turn out to be going; one that
 * stays live gets {@code [IN-USE]} then, and one on another node (whose state this node cannot see) at once. One
 * instance per node, shared by all POP3 listeners.
 */
public final class MaildropHandover {

    /** How long a live holder may take to show that it is going (its connection closed just before): a second. */
    static final Duration GRACE = Duration.ofSeconds(1);

    private final ConcurrentHashMap<Key, Holder> holders = new ConcurrentHashMap<>();
    private final Duration patience;

    /** @param patience how long a login waits for a going holder's release before it answers {@code [IN-USE]} */
    public MaildropHandover(Duration patience) {
        if (patience.isNegative() || patience.isZero() || patience.compareTo(Duration.ofSeconds(30)) > 0) {
            throw new IllegalArgumentException("the handover wait must be positive and at most 30 s: " + patience);
        }
        this.patience = patience;
    }

    /** A few seconds: far more than a release takes, short enough that a client does not time out waiting. */
    public static MaildropHandover defaults() {
        return new MaildropHandover(Duration.ofSeconds(5));
    }

    public Duration patience() {
        return patience;
    }

    /** A session of this node has just taken the lease on the mailbox. */
    Holder held(long accountId, long mailboxId) {
        Key key = new Key(accountId, mailboxId);
        Holder holder = new Holder(key);
        holders.put(key, holder);
        return holder;
    }

    /**
     * Whether a login that was just refused the lease should try it once more: true once this node's holder of the
     * mailbox, which is going, has given the lease back (or given up on giving it back), and true at once when this
     * node knows no holder (it may have let go between the refusal and now; a holder on another node then refuses
     * again, one round trip later); false when the holder here stays live for {@link #GRACE}, and false when the
     * release takes longer than {@link #patience()}. True means "try again", not "the lease is free".
     */
    Mono<Boolean> released(long accountId, long mailboxId) {
        Holder holder = holders.get(new Key(accountId, mailboxId));
        if (holder == null) {
            return Mono.just(true);
        }
        Mono<Boolean> goes = holder.going ? Mono.just(true) : within(holder.goingSignal.asMono(), GRACE);
        return goes.flatMap(going -> going ? within(holder.gone.asMono(), patience) : Mono.just(false));
    }

    /** True when {@code signal} completes within {@code wait}, false after it. */
    private static Mono<Boolean> within(Mono<Void> signal, Duration wait) {
        return signal.thenReturn(true)
                .timeout(wait, Schedulers.parallel())
                .onErrorResume(TimeoutException.class, late -> Mono.just(false));
    }

    /** How many holders this node knows of (for tests and metrics). */
    int size() {
        return holders.size();
    }

    private record Key(long accountId, long mailboxId) { }

    /** One session's hold on one mailbox; the session says when it starts going and when the lease is back. */
    final class Holder {
        private final Key key;
        private final Sinks.Empty<Void> gone = Sinks.empty();
        private final Sinks.Empty<Void> goingSignal = Sinks.empty();
        private volatile boolean going;

        private Holder(Key key) {
            this.key = key;
        }

        /** The session ends (connection gone, autologout, QUIT, shutdown): its release is under way or next. */
        void going() {
            going = true;
            goingSignal.tryEmitEmpty();
        }

        /** The lease was given back, or cannot be (lost, or the release failed): waiters may try again. */
        void released() {
            going();
            holders.remove(key, this);
            gone.tryEmitEmpty();
        }
    }
}
