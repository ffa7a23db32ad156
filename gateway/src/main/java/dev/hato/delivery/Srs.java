package dev.hato.delivery;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Sender Rewriting Scheme, as forwarders use it so that forwarded mail passes SPF at its destination and its
 * bounces come back (Shevek's SRS, as libsrs2 and postsrsd write it). A message forwarded from {@code user@orig}
 * leaves with the sender {@code SRS0=HHHHHH=TT=orig=user@ours}: TT is the day it was sent, HHHHHH a keyed hash of the
 * rest, so only Hato could have written it and only for {@link #MAX_AGE_DAYS} days. A sender that already is an SRS0
 * address of another forwarder becomes {@code SRS1=HHHHHH=theirs==HHHHHH=TT=orig=user@ours}, which leads back to
 * that forwarder, not through every hop. Hashes and days are in base32, which survives servers that change the case
 * of local parts.
 */
public final class Srs {

    /** How long a rewritten address takes bounces (libsrs2's default). */
    static final int MAX_AGE_DAYS = 21;

    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final int HASH_LENGTH = 6;
    private static final int DAYS = 1024; // two base32 characters

    private final SecretKeySpec key;
    private final Clock clock;

    /** @param secret at least 16 octets that stay the same across restarts and nodes */
    public Srs(byte[] secret, Clock clock) {
        if (secret.length < 16) {
            throw new IllegalArgumentException("an SRS secret needs at least 16 octets");
        }
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.clock = clock;
    }

    /** The sender a message from {@code sender} (a bare address) gets when forwarded from {@code domain}. */
    public String forward(String sender, String domain) {
        int at = sender.lastIndexOf('@');
        if (at <= 0 || at == sender.length() - 1) {
            return sender; // the null sender and bare names are not rewritten
        }
        String local = sender.substring(0, at);
        String origin = sender.substring(at + 1);
        String lower = local.toLowerCase(Locale.ROOT);
        if (lower.startsWith("srs0=") || lower.startsWith("srs0+") || lower.startsWith("srs0-")) {
            // SRS0=... of another forwarder: SRS1=HHH=theirdomain==HHH=TT=orig=user, the "=HHH..." kept as it was
            String rest = local.substring(4);
            return "SRS1=" + hash(origin + "=" + rest) + "=" + origin + "=" + rest + "@" + domain;
        }
        if (lower.startsWith("srs1=") || lower.startsWith("srs1+") || lower.startsWith("srs1-")) {
            // SRS1=HHH=first==rest: keep the first forwarder and what leads back to it, with our own hash
            String[] parts = local.substring(5).split("=", 3);
            if (parts.length == 3) {
                String first = parts[1];
                String rest = parts[2];
                return "SRS1=" + hash(first + "=" + rest) + "=" + first + "=" + rest + "@" + domain;
            }
        }
        String stamp = stamp(today());
        String body = stamp + "=" + origin + "=" + local;
        return "SRS0=" + hash(body) + "=" + body + "@" + domain;
    }

    /**
     * Where mail to the local part {@code local} of one of our domains goes back to, when it is an SRS address
     * this server wrote (the hash matches, and an SRS0 address is at most {@link #MAX_AGE_DAYS} days old); empty
     * for any other local part.
     */
    public Optional<String> reverse(String local) {
        String lower = local.toLowerCase(Locale.ROOT);
        if (lower.length() < 5 || "=+-".indexOf(lower.charAt(4)) < 0) {
            return Optional.empty();
        }
        if (lower.startsWith("srs0")) {
            String[] parts = local.substring(5).split("=", 4); // HHH, TT, domain, user
            if (parts.length != 4 || parts[2].isEmpty() || parts[3].isEmpty()
                    || !matches(parts[0], parts[1] + "=" + parts[2] + "=" + parts[3]) || !fresh(parts[1])) {
                return Optional.empty();
            }
            return Optional.of(parts[3] + "@" + parts[2]);
        }
        if (lower.startsWith("srs1")) {
            String[] parts = local.substring(5).split("=", 3); // HHH, first forwarder, =rest
            if (parts.length != 3 || parts[1].isEmpty() || !parts[2].startsWith("=")
                    || !matches(parts[0], parts[1] + "=" + parts[2])) {
                return Optional.empty();
            }
            return Optional.of("SRS0" + parts[2] + "@" + parts[1]);
        }
        return Optional.empty();
    }

    private boolean matches(String hash, String body) {
        return java.security.MessageDigest.isEqual(hash.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                hash(body).getBytes(StandardCharsets.US_ASCII));
    }

    private boolean fresh(String stamp) {
        if (stamp.length() != 2) {
            return false;
        }
        int high = BASE32.indexOf(Character.toLowerCase(stamp.charAt(0)));
        int low = BASE32.indexOf(Character.toLowerCase(stamp.charAt(1)));
        if (high < 0 || low < 0) {
            return false;
        }
        int age = Math.floorMod((int) (today() % DAYS) - (high * 32 + low), DAYS);
        return age <= MAX_AGE_DAYS;
    }

    private long today() {
        return Math.floorDiv(clock.millis(), 86_400_000L);
    }

    private static String stamp(long day) {
        int value = (int) (day % DAYS);
        return "" + BASE32.charAt(value / 32) + BASE32.charAt(value % 32);
    }

    /** The first {@link #HASH_LENGTH} base32 characters of the keyed hash of {@code body}, case folded. */
    private String hash(String body) {
        byte[] digest;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            digest = mac.doFinal(body.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java platform", e);
        }
        StringBuilder out = new StringBuilder(HASH_LENGTH);
        long bits = 0;
        for (int i = 0; i < 4; i++) {
            bits = bits << 8 | (digest[i] & 0xff);
        }
        for (int i = 0; i < HASH_LENGTH; i++) {
            out.append(BASE32.charAt((int) (bits >>> (32 - 5 * (i + 1)) & 31)));
        }
        return out.toString();
    }
}
