package dev.hato.smtp.session;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.hato.protocol.ClientCounts;
import dev.hato.store.directory.Account;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Bounds what logged-in senders send, so that a stolen password sends a few hundred messages, not a spam run: at
 * most so many messages (MAIL commands accepted) and recipients (RCPTs accepted) per account, and per client address
 * over all its accounts (IPv6: per /64), within a window that runs from the first message or recipient counted (one
 * hour by default), as Postfix's anvil counts per time unit. Past a limit MAIL or RCPT gets {@code 450 4.7.1} with
 * the limit and the minutes until the window ends; the client may try again then (RFC 5321 §4.2.5, RFC 3463 X.7.1).
 * The first refusal of each limit and window is reported to {@code reached} (the audit log and the server log); the
 * mail log has each refused command through the session's watch.
 *
 * <p>A RCPT is counted before the delivery pipeline admits it and given back if it is not admitted, so refused
 * recipients do not count and concurrent sessions of one account never pass the limit together. The counts live in
 * memory, in one bounded Caffeine cache whose entries go when their window is over: a restart starts them afresh.
 * Thread-safe; one per server.
 */
public final class SendLimits {

    /**
     * @param accountMessages   messages one account may send within {@code window}; 0 for no limit
     * @param accountRecipients recipients one account may send to within {@code window}; 0 for no limit
     * @param clientMessages    messages from one client address (all its accounts) within {@code window}; 0 for none
     * @param clientRecipients  recipients from one client address within {@code window}; 0 for no limit
     * @param window            how long a count runs from its first message or recipient
     * @param maxTracked        most accounts and client addresses remembered at once
     */
    public record Settings(int accountMessages, int accountRecipients, int clientMessages, int clientRecipients,
                           Duration window, int maxTracked) {

        public Settings {
            Objects.requireNonNull(window, "window");
            if (accountMessages < 0 || accountRecipients < 0 || clientMessages < 0 || clientRecipients < 0) {
                throw new IllegalArgumentException("sending limits must be 0 (no limit) or positive");
            }
            if (window.isNegative() || window.isZero() || window.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("the sending-limit window must be positive and at most 1d, not "
                        + window);
            }
            if (maxTracked < 100) {
                throw new IllegalArgumentException("sending limits must track at least 100 senders, not "
                        + maxTracked);
            }
        }

        /** 200 messages and 1,000 recipients an hour per account; 1,000 and 5,000 per client address. */
        public static Settings defaults() {
            return new Settings(200, 1000, 1000, 5000, Duration.ofHours(1), 100_000);
        }

        /** No limits at all. */
        public static Settings none() {
            return new Settings(0, 0, 0, 0, Duration.ofHours(1), 100);
        }
    }

    /** Whose count a limit is on. */
    public enum Scope { ACCOUNT, CLIENT }

    /** What a limit counts. */
    public enum Kind { MESSAGES, RECIPIENTS }

    /**
     * A limit reached for the first time in its window: by {@code authId} (account {@code accountId}) from
     * {@code clientIp}, refused until {@code windowLeft} has passed.
     */
    public record Breach(Scope scope, Kind kind, int limit, Duration window, String authId, long accountId,
                         String clientIp, Duration windowLeft) { }

    private final Settings settings;
    private final Ticker ticker;
    private final Consumer<Breach> reached;
    private final Cache<String, Count> counts;

    /**
     * @param ticker  the clock of the windows, in nanoseconds ({@link Ticker#systemTicker()} in the server)
     * @param reached told of the first refusal of each limit and window; must not block
     */
    public SendLimits(Settings settings, Ticker ticker, Consumer<Breach> reached) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.reached = Objects.requireNonNull(reached, "reached");
        long window = settings.window().toNanos();
        this.counts = ClientCounts.cache(settings.maxTracked(), ticker, (Count count) -> count.start() + window);
    }

    public Settings settings() {
        return settings;
    }

    /** Counts one message of {@code account} from {@code clientIp}: null when it may go, else the reply refusing it. */
    public @Nullable String message(Account account, String clientIp) {
        return take(Kind.MESSAGES, account, clientIp, settings.accountMessages(), settings.clientMessages());
    }

    /** Counts one recipient of {@code account} from {@code clientIp}: null when it may go, else the refusal. */
    public @Nullable String recipient(Account account, String clientIp) {
        return take(Kind.RECIPIENTS, account, clientIp, settings.accountRecipients(), settings.clientRecipients());
    }

    /** Gives back a recipient counted by {@link #recipient} that was not accepted after all. */
    public void returnRecipient(Account account, String clientIp) {
        give(accountKey(account), Kind.RECIPIENTS);
        give(clientKey(clientIp), Kind.RECIPIENTS);
    }

    /** What {@code account} has counted of {@code kind} in its current window (0 when none runs); for tests. */
    public int counted(Account account, Kind kind) {
        Count count = counts.getIfPresent(accountKey(account));
        return count == null || expired(count, ticker.read()) ? 0 : count.of(kind);
    }

    private @Nullable String take(Kind kind, Account account, String clientIp, int accountLimit, int clientLimit) {
        String refusal = take(accountKey(account), Scope.ACCOUNT, kind, accountLimit, account, clientIp);
        if (refusal != null) {
            return refusal;
        }
        refusal = take(clientKey(clientIp), Scope.CLIENT, kind, clientLimit, account, clientIp);
        if (refusal != null) {
            give(accountKey(account), kind);
        }
        return refusal;
    }

    /** One more of {@code kind} under {@code key}, unless that passes {@code limit}; null when counted. */
    private @Nullable String take(String key, Scope scope, Kind kind, int limit, Account account, String clientIp) {
        if (limit == 0) {
            return null;
        }
        long now = ticker.read();
        boolean[] taken = new boolean[1];
        boolean[] first = new boolean[1];
        Count count = counts.asMap().compute(key, (k, old) -> {
            Count current = old == null || expired(old, now) ? Count.fresh(now) : old;
            if (current.of(kind) < limit) {
                taken[0] = true;
                return current.plus(kind, 1);
            }
            first[0] = !current.reported(kind);
            return current.reporting(kind);
        });
        if (taken[0]) {
            return null;
        }
        Duration left = Duration.ofNanos(Math.max(0, count.start() + settings.window().toNanos() - now));
        if (first[0]) {
            reached.accept(new Breach(scope, kind, limit, settings.window(), account.authId(), account.id(), clientIp,
                    left));
        }
        long minutes = Math.max(1, (left.toSeconds() + 59) / 60);
        return "450 4.7.1 Sending limit reached: at most " + limit + " "
                + (kind == Kind.MESSAGES ? "messages" : "recipients") + " per " + describe(settings.window())
                + (scope == Scope.ACCOUNT ? " from this account" : " from this client address")
                + "; try again in " + minutes + (minutes == 1 ? " minute" : " minutes");
    }

    private void give(String key, Kind kind) {
        long now = ticker.read();
        counts.asMap().computeIfPresent(key, (k, old) -> expired(old, now) || old.of(kind) == 0 ? old
                : old.plus(kind, -1));
    }

    private boolean expired(Count count, long now) {
        return now - count.start() >= settings.window().toNanos();
    }

    private static String accountKey(Account account) {
        return "account:" + account.id();
    }

    private static String clientKey(String clientIp) {
        return "client:" + ClientCounts.key(clientIp);
    }

    /** "hour", "30 minutes", "day": the window as a reply says it. */
    static String describe(Duration window) {
        if (window.equals(Duration.ofHours(1))) {
            return "hour";
        }
        if (window.equals(Duration.ofDays(1))) {
            return "day";
        }
        long seconds = window.toSeconds();
        return seconds % 3600 == 0 ? seconds / 3600 + " hours"
                : seconds % 60 == 0 ? seconds / 60 + " minutes" : seconds + " seconds";
    }

    /**
     * The counts of one account or client address in the window that began at {@code start}; {@code reported} says
     * which limits were already reported in this window.
     */
    private record Count(long start, int messages, int recipients, boolean messagesReported,
                         boolean recipientsReported) {

        static Count fresh(long now) {
            return new Count(now, 0, 0, false, false);
        }

        int of(Kind kind) {
            return kind == Kind.MESSAGES ? messages : recipients;
        }

        boolean reported(Kind kind) {
            return kind == Kind.MESSAGES ? messagesReported : recipientsReported;
        }

        Count plus(Kind kind, int delta) {
            return kind == Kind.MESSAGES
                    ? new Count(start, messages + delta, recipients, messagesReported, recipientsReported)
                    : new Count(start, messages, recipients + delta, messagesReported, recipientsReported);
        }

        Count reporting(Kind kind) {
            return kind == Kind.MESSAGES
                    ? new Count(start, messages, recipients, true, recipientsReported)
                    : new Count(start, messages, recipients, messagesReported, true);
        }
    }
}
