package dev.hato.auth.scram;

import dev.hato.auth.AuthIds;
import dev.hato.auth.AuthenticatorSettings;
import dev.hato.auth.CredentialSources;
import dev.hato.auth.LocalCredentialSource;
import dev.hato.auth.ScramKeys;
import dev.hato.auth.SecretFile;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The SCRAM keys to run an exchange with, found by auth ID: the keys stored with a local account's password
 * ({@link ScramKeys}), or decoy keys derived from a server secret for everyone else — an unknown or malformed auth
 * ID, a login that looks like an address, an account without a local password, an account whose domain checks
 * passwords elsewhere (LDAP, an HTTP portal: those sources never give us keys). Decoys are stable per login (the
 * same salt every time, as a real account has) and indistinguishable from real keys, so the exchange fails at the
 * proof exactly like a wrong password and reveals nothing about who exists (RFC 5802 §9).
 */
public final class ScramKeySource {

    private static final Logger LOG = LoggerFactory.getLogger(ScramKeySource.class);
    /** The shortest server secret accepted: HMAC-SHA-256 gains nothing beyond 32 octets, and loses below. */
    public static final int MIN_SECRET = 32;

    private final Directory directory;
    private final CredentialSources sources;
    private final byte[] secret;
    private final AuthenticatorSettings settings;

    /**
     * @param secret at least {@value #MIN_SECRET} random octets that stay the same across restarts and nodes (see
     *               {@link #secretIn}); decoy salts change with it, which would tell an observer who is unknown
     */
    public ScramKeySource(Directory directory, CredentialSources sources, byte[] secret,
                          AuthenticatorSettings settings) {
        if (secret.length < MIN_SECRET) {
            throw new IllegalArgumentException("the SCRAM decoy secret needs at least " + MIN_SECRET + " octets");
        }
        this.directory = Objects.requireNonNull(directory, "directory");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.secret = secret.clone();
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /** What {@link #find} found. */
    public sealed interface Lookup permits Known, Decoy, Unreachable { }

    /** A local account and its stored keys: a verified proof logs it in. */
    public record Known(Account account, ScramKeys.Keys keys) implements Lookup { }

    /**
     * Keys no password matches; the exchange must end as a rejection, with {@code addressGiven} when the login
     * looked like an address ({@link dev.hato.auth.AuthOutcome.Rejected}).
     */
    public record Decoy(ScramKeys.Keys keys, boolean addressGiven) implements Lookup { }

    /** The directory could not answer: a temporary failure, never "wrong password". */
    public record Unreachable(String reason) implements Lookup { }

    /** The keys for {@code login} (the SCRAM username, as typed). Never errors. */
    public Mono<Lookup> find(String login) {
        if (login.indexOf('@') >= 0) {
            return Mono.just(new Decoy(decoy(login), true));
        }
        String authId = AuthIds.normalize(login);
        if (!AuthIds.isValid(authId)) {
            return Mono.just(new Decoy(decoy(login), false));
        }
        return directory.findByAuthId(authId)
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .timeout(settings.directoryTimeout())
                .map(found -> found.<Lookup>map(this::keysOf).orElseGet(() -> new Decoy(decoy(login), false)))
                .onErrorResume(error -> {
                    LOG.warn("account lookup failed for a SCRAM login: {}", error.toString());
                    return Mono.just(new Unreachable("directory unavailable"));
                });
    }

    private Lookup keysOf(Account account) {
        // Only the local source keeps SCRAM keys; any other source only answers "is this password right?".
        if (!sources.forAccount(account).name().equals(LocalCredentialSource.NAME)) {
            return new Decoy(decoy(account.authId()), false);
        }
        @Nullable String credential = account.passwordHash();
        Optional<ScramKeys.Keys> keys = credential == null ? Optional.empty() : ScramKeys.find(credential);
        return keys.<Lookup>map(found -> new Known(account, found))
                .orElseGet(() -> new Decoy(decoy(account.authId()), false));
    }

    /**
     * Decoy keys for a login: salt and keys are HMACs of the normalised login under the secret, so the same login
     * always gets the same salt and iteration count, like an account whose password does not change.
     */
    ScramKeys.Keys decoy(String login) {
        byte[] name = AuthIds.normalize(login).getBytes(StandardCharsets.UTF_8);
        return new ScramKeys.Keys(ScramKeys.ITERATIONS, Arrays.copyOf(derive("salt", name), 16),
                derive("stored-key", name), derive("server-key", name));
    }

    private byte[] derive(String label, byte[] name) {
        byte[] input = new byte[label.length() + 1 + name.length];
        byte[] labelBytes = label.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(labelBytes, 0, input, 0, labelBytes.length);
        System.arraycopy(name, 0, input, labelBytes.length + 1, name.length);
        return ScramServer.hmac(secret, input);
    }

    /**
     * The decoy secret kept in {@code file}: read when it exists, otherwise created with {@value #MIN_SECRET} random
     * octets, readable by the owner only. Blocking file I/O: call it at start-up, never on an event loop. Several
     * nodes on one database should share the file (or the decoys of one node differ from another's).
     */
    public static byte[] secretIn(Path file) throws IOException {
        return SecretFile.read(file, MIN_SECRET, "a SCRAM decoy secret");
    }
}
