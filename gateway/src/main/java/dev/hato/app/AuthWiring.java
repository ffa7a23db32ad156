package dev.hato.app;

import dev.hato.auth.AuthenticatorSettings;
import dev.hato.auth.Authenticator;
import dev.hato.auth.BreakerSettings;
import dev.hato.auth.CachingCredentialSource;
import dev.hato.auth.CredentialSource;
import dev.hato.auth.CredentialSourceHealth;
import dev.hato.auth.CredentialSources;
import dev.hato.auth.DirectoryAuthenticator;
import dev.hato.auth.LocalCredentialSource;
import dev.hato.auth.PasswordHasher;
import dev.hato.auth.ResilientCredentialSource;
import dev.hato.auth.VerifierCache;
import dev.hato.auth.VerifierCacheSettings;
import dev.hato.auth.http.HttpCredentialSource;
import dev.hato.auth.http.HttpSourceSettings;
import dev.hato.auth.ldap.LdapCredentialSource;
import dev.hato.auth.ldap.LdapSettings;
import dev.hato.auth.guard.GuardedAuthenticator;
import dev.hato.auth.sasl.SaslEngine;
import dev.hato.auth.scram.ScramKeySource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import dev.hato.auth.guard.LoginThrottle;
import dev.hato.store.audit.AuditLog;
import dev.hato.store.directory.Directory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Builds the credential sources named in {@code hato.auth.*}: each LDAP or HTTP source behind its own circuit
 * breaker and, when enabled, the verifier cache; local passwords for every domain not routed elsewhere.
 */
final class AuthWiring implements AutoCloseable {

    private final Map<String, CredentialSource> sources = new HashMap<>();
    private final List<ResilientCredentialSource> guarded = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final CredentialSources routing;
    private final LoginThrottle throttle;
    private final AuditLog audit;
    private final GuardedAuthenticator authenticator;
    private final ScramKeySource scramKeys;

    /** {@code scramSecret}: the file of the server secret SCRAM decoys are derived from (created if missing). */
    AuthWiring(HatoProperties.Auth auth, Directory directory, AuditLog audit, Scheduler hashing,
               MeterRegistry meters, Path scramSecret) {
        HatoProperties.LocalCache l = auth.localCache();
        CredentialSource local = new LocalCredentialSource(PasswordHasher.DEFAULT, hashing,
                new VerifierCache(new VerifierCacheSettings(l.enabled(), l.ttl(), l.maxEntries())));
        sources.put("local", local);
        HatoProperties.Breaker b = auth.breaker();
        BreakerSettings breaker = new BreakerSettings(b.timeout(), b.failureRateThreshold(), b.slidingWindowSize(),
                b.minimumNumberOfCalls(), b.waitDurationInOpenState(), b.permittedCallsInHalfOpen());
        HatoProperties.VerifierCache c = auth.verifierCache();
        VerifierCache cache = new VerifierCache(new VerifierCacheSettings(c.enabled(), c.ttl(), c.maxEntries()));
        auth.ldap().forEach((name, ldap) -> {
            LdapCredentialSource source = new LdapCredentialSource(ldapSettings(name, ldap));
            closeables.add(source);
            register(source, breaker, cache, meters);
        });
        auth.http().forEach((name, http) -> register(new HttpCredentialSource(new HttpSourceSettings(name,
                http.url(), http.timeout(), http.bearerToken(), http.authIdField(), http.passwordField(),
                http.okField())), breaker, cache, meters));
        Map<String, CredentialSource> byDomain = new HashMap<>();
        auth.domains().forEach((domain, sourceName) -> {
            CredentialSource source = sources.get(sourceName);
            if (source == null) {
                throw new IllegalArgumentException("hato.auth.domains." + domain + " names an unknown source '"
                        + sourceName + "'; known: " + sources.keySet());
            }
            byDomain.put(domain.toLowerCase(Locale.ROOT), source);
        });
        routing = new CredentialSources(local, byDomain);
        HatoProperties.Throttle t = auth.throttle();
        throttle = new LoginThrottle(new LoginThrottle.Settings(
                new LoginThrottle.Limits(t.authIdFreeFailures(), t.authIdLockoutFailures()),
                new LoginThrottle.Limits(t.clientFreeFailures(), t.clientLockoutFailures()),
                t.firstDelay(), t.maxDelay(), t.window(), t.lockout(), t.maxTracked(), t.authIdPaceAfter(),
                t.authIdMaxPace(), t.familiarFor()), Schedulers.parallel());
        this.audit = audit;
        AuthenticatorSettings settings = new AuthenticatorSettings(auth.directoryTimeout(), auth.verifyTimeout());
        authenticator = new GuardedAuthenticator(new DirectoryAuthenticator(directory, routing, PasswordHasher.DEFAULT, hashing,
                settings), throttle, audit);
        try {
            scramKeys = new ScramKeySource(directory, routing, ScramKeySource.secretIn(scramSecret), settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the SCRAM secret " + scramSecret, e);
        }
    }

    /**
     * SASL for every protocol: all mechanisms through the one throttle and audit log; {@code tokens} (unguarded: the
     * engine guards it) turns OAUTHBEARER and XOAUTH2 on, null leaves them off.
     */
    SaslEngine sasl(@Nullable Authenticator tokens) {
        return new SaslEngine(authenticator, scramKeys, tokens);
    }

    private void register(CredentialSource source, BreakerSettings breaker, VerifierCache cache,
                          MeterRegistry meters) {
        ResilientCredentialSource resilient = new ResilientCredentialSource(source, breaker, meters);
        guarded.add(resilient);
        sources.put(source.name(), new CachingCredentialSource(resilient, cache));
    }

    static LdapSettings ldapSettings(String name, HatoProperties.Ldap l) {
        return new LdapSettings(name, l.urls(), l.startTls(), l.trust(), l.insecureTrustAll(), l.bindDn(),
                l.bindPassword(), l.baseDn(), l.searchFilter(), l.bindDnTemplate(), l.connectTimeout(),
                l.responseTimeout(), l.poolSize(), l.peopleBaseDn(), l.peopleFilter(), l.authIdAttribute(),
                l.mailAttribute(), l.nameAttribute());
    }

    /** Checks passwords of every domain against its source, throttled and audited. */
    Authenticator authenticator() {
        return authenticator;
    }

    CredentialSourceHealth health() {
        return new CredentialSourceHealth(guarded);
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
    }
}
