package dev.hato.protocol;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.Locale;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * What the guards that count per client in memory (the login throttle, the SMTP harvesting limit) share: which
 * addresses count as one client, and a bounded cache whose entries go when the count they hold is over.
 */
public final class ClientCounts {

    private ClientCounts() { }

    /**
     * The key a client address is counted under: an IPv4 address as it is; an IPv6 address reduced to its /64 (the
     * prefix one host is usually given, so rotating through it gains nothing), written without leading zeros.
     * Anything else (a malformed string, an IPv4-mapped address) as written, in lower case. The address is the
     * socket's peer, a literal: nothing is looked up.
     */
    public static String key(String clientIp) {
        String ip = clientIp.trim().toLowerCase(Locale.ROOT);
        int scope = ip.indexOf('%');
        if (scope >= 0) {
            ip = ip.substring(0, scope);
        }
        if (ip.indexOf(':') < 0) {
            return ip;
        }
        String @Nullable [] groups = ipv6Groups(ip);
        if (groups == null) {
            return ip;
        }
        StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            prefix.append(Integer.toHexString(Integer.parseInt(groups[i], 16))).append(':');
        }
        return prefix.append(":/64").toString();
    }

    /**
     * A cache of at most {@code maxSize} entries (the least useful go first under a flood of keys) in which each entry
     * expires at the time {@code expiresAt} gives for its value, on {@code ticker}'s clock (nanoseconds), re-read on
     * every update and never extended by a read.
     */
    public static <V> Cache<String, V> cache(int maxSize, Ticker ticker, ToLongFunction<V> expiresAt) {
        return Caffeine.newBuilder()
                .maximumSize(maxSize)
                .ticker(ticker)
                .expireAfter(new Expiry<String, V>() {
                    @Override
                    public long expireAfterCreate(String key, V value, long currentTime) {
                        return Math.max(0, expiresAt.applyAsLong(value) - currentTime);
                    }

                    @Override
                    public long expireAfterUpdate(String key, V value, long currentTime, long currentDuration) {
                        return Math.max(0, expiresAt.applyAsLong(value) - currentTime);
                    }

                    @Override
                    public long expireAfterRead(String key, V value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** The eight groups of a textual IPv6 address (with or without "::"), or null when it is not one. */
    private static String @Nullable [] ipv6Groups(String ip) {
        int gap = ip.indexOf("::");
        String[] head;
        String[] tail;
        if (gap >= 0) {
            if (ip.indexOf("::", gap + 1) >= 0) {
                return null;
            }
            head = split(ip.substring(0, gap));
            tail = split(ip.substring(gap + 2));
        } else {
            head = split(ip);
            tail = new String[0];
        }
        if (head.length + tail.length > (gap >= 0 ? 7 : 8) || gap < 0 && head.length != 8) {
            return null;
        }
        String[] groups = new String[8];
        for (int i = 0; i < 8; i++) {
            int fromTail = i - (8 - tail.length);
            String group = i < head.length ? head[i] : fromTail >= 0 ? tail[fromTail] : "0";
            if (!isHexGroup(group)) {
                return null; // also an embedded IPv4 tail (::ffff:192.0.2.1): counted as written
            }
            groups[i] = group;
        }
        return groups;
    }

    private static boolean isHexGroup(String group) {
        if (group.isEmpty() || group.length() > 4) {
            return false;
        }
        for (int i = 0; i < group.length(); i++) {
            if (Character.digit(group.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String[] split(String part) {
        return part.isEmpty() ? new String[0] : part.split(":", -1);
    }
}
