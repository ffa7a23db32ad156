package dev.hato.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Remembers, in memory only, that a password was verified recently: so that people keep working while their
 * credential source is down ({@link CachingCredentialSource}), and so that a local login with a password already
 * verified against the same hash costs no second Argon2id run ({@link LocalCredentialSource}). Never the password: an entry holds a random salt and
 * HMAC-SHA256(process key, salt ‖ password), where the process key is random and exists only in this object, so
 * entries are worthless outside this process and lost on restart. Entries expire {@code ttl} after the verification
 * that wrote them; the cache is bounded. A disabled cache remembers nothing.
 */
public final class VerifierCache {

    private static final String MAC = "HmacSHA256";
    private static final int SALT_LENGTH = 16;

    /** What is kept per account: no password, only a keyed salted digest of it. */
    record Entry(byte[] salt, byte[] digest) { }

    private final boolean enabled;
    private final Cache<Long, Entry> entries;
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    public VerifierCache(VerifierCacheSettings settings) {
        this(settings, Ticker.systemTicker());
    }

    VerifierCache(VerifierCacheSettings settings, Ticker ticker) {
        this.enabled = settings.enabled();
        this.entries = Caffeine.newBuilder()
                .expireAfterWrite(settings.ttl())
                .maximumSize(enabled ? settings.maxEntries() : 0)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
        byte[] keyBytes = new byte[32];
        random.nextBytes(keyBytes);
        this.key = new SecretKeySpec(keyBytes, MAC);
    }

    public boolean enabled() {
        return enabled;
    }

    /** Called after the source said yes. */
    public void remember(long accountId, String password) {
        if (!enabled) {
            return;
        }
        byte[] salt = new byte[SALT_LENGTH];
        random.nextBytes(salt);
        entries.put(accountId, new Entry(salt, digest(salt, password)));
    }

    /** True when a fresh entry for the account was written with this very password. */
    public boolean matches(long accountId, String password) {
        if (!enabled) {
            return false;
        }
        Entry entry = entries.getIfPresent(accountId);
        return entry != null && MessageDigest.isEqual(entry.digest(), digest(entry.salt(), password));
    }

    public void forget(long accountId) {
        entries.invalidate(accountId);
    }

    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    /** For tests: what the cache holds. */
    List<Entry> snapshot() {
        return List.copyOf(entries.asMap().values());
    }

    private byte[] digest(byte[] salt, String password) {
        try {
            Mac mac = Mac.getInstance(MAC);
            mac.init(key);
            mac.update(salt);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
        }
    }
}
