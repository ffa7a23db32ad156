package dev.hato.auth.sasl;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.auth.guard.GuardedAuthenticator;
import dev.hato.auth.scram.ScramKeySource;
import dev.hato.auth.scram.ScramMechanism;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * SASL for every protocol of Hato. The engine knows which mechanisms can run — SCRAM-SHA-256 when SCRAM keys can be
 * found ({@link ScramKeySource}), PLAIN and LOGIN always, OAUTHBEARER and XOAUTH2 when a token issuer is configured
 * — and starts {@link SaslExchange}s. Every check of a credential, whatever the mechanism, and the plain-text logins
 * of IMAP {@code LOGIN} and POP3 {@code USER}/{@code PASS} ({@link #password}), goes through the one
 * {@link GuardedAuthenticator} given here: the same login throttle, the same audit log, counted together.
 */
public final class SaslEngine {

    /** The longest client response accepted, in base64 characters: room for a 16 KiB bearer token and its frame. */
    public static final int MAX_RESPONSE = 24 * 1024;

    public static final String PLAIN = "PLAIN";
    public static final String LOGIN = "LOGIN";
    public static final String SCRAM_SHA_256 = ScramMechanism.NAME;
    public static final String OAUTHBEARER = "OAUTHBEARER";
    public static final String XOAUTH2 = "XOAUTH2";

    private final GuardedAuthenticator guard;
    private final @Nullable ScramMechanism scram;
    private final @Nullable Authenticator tokens;

    /**
     * @param guard     checks passwords (its delegate) through the login throttle and audit log, and guards the
     *                  other mechanisms' checks the same way
     * @param scramKeys finds SCRAM keys by auth ID; null leaves SCRAM-SHA-256 unoffered
     * @param tokens    verifies bearer tokens (unguarded: the engine guards it); null leaves OAUTHBEARER and XOAUTH2
     *                  unoffered
     */
    public SaslEngine(GuardedAuthenticator guard, @Nullable ScramKeySource scramKeys, @Nullable Authenticator tokens) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.scram = scramKeys == null ? null : new ScramMechanism(guard, scramKeys);
        this.tokens = tokens;
    }

    /** The mechanisms that can run, strongest first: the order SMTP's EHLO and POP3's CAPA list them in. */
    public List<String> mechanisms() {
        List<String> names = new ArrayList<>(5);
        if (scram != null) {
            names.add(SCRAM_SHA_256);
        }
        names.add(PLAIN);
        names.add(LOGIN);
        if (tokens != null) {
            names.add(OAUTHBEARER);
            names.add(XOAUTH2);
        }
        return names;
    }

    /** Whether {@code mechanism} (any case) can run. */
    public boolean offers(String mechanism) {
        return mechanisms().contains(upperCase(mechanism));
    }

    /**
     * A new exchange of {@code mechanism} (any case) for a client at {@code remoteIp} over {@code protocol}
     * ({@code smtp}, {@code imap}, {@code pop3}: the audit log's name). An unoffered mechanism gives an exchange whose
     * first step is {@link SaslStep.Reason#UNSUPPORTED_MECHANISM}.
     */
    public SaslExchange start(String mechanism, String protocol, String remoteIp) {
        String name = upperCase(mechanism);
        return new SaslExchange(offers(name) ? name : null, protocol, remoteIp, this);
    }

    /** A plain-text login outside SASL (IMAP {@code LOGIN}, POP3 {@code USER}/{@code PASS}), guarded the same way. */
    public Mono<AuthOutcome> password(String login, String password, String protocol, String remoteIp) {
        return guard.authenticate(new Credentials(login, password, protocol, remoteIp));
    }

    Mono<AuthOutcome> token(String user, String token, String protocol, String remoteIp) {
        Authenticator checker = Objects.requireNonNull(tokens, "tokens");
        return guard.authenticate(new Credentials(user, token, protocol, remoteIp), checker);
    }

    /** ASCII letters only, so no locale (or "ſ") can turn a word into a mechanism name. */
    private static String upperCase(String name) {
        char[] chars = name.toCharArray();
        for (int k = 0; k < chars.length; k++) {
            if (chars[k] >= 'a' && chars[k] <= 'z') {
                chars[k] -= 'a' - 'A';
            }
        }
        return new String(chars);
    }

    ScramMechanism scram() {
        return Objects.requireNonNull(scram, "scram");
    }
}
