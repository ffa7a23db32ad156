package dev.hato.delivery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hato.sieve.CompileException;
import dev.hato.sieve.CompiledScript;
import dev.hato.sieve.SieveCompiler;
import dev.hato.store.sieve.SieveScript;
import dev.hato.store.sieve.SieveScripts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The active Sieve script of each account as delivery runs it, compiled. Two caches keep this off the database and
 * the compiler for most messages: which script is active per account (for {@link #ACTIVE_TTL}, so a change made on
 * another node applies within that time; a change made through this object, which every protocol and command of
 * this node uses to change scripts, applies at once), and
 * the compiled form by the SHA-256 of the text, so an upgrade of the engine compiles again from the stored text.
 */
public final class ActiveScripts implements SieveScripts {

    /** How long this node trusts what it read about an account's active script. */
    static final Duration ACTIVE_TTL = Duration.ofSeconds(5);

    private static final int MAX_ACCOUNTS = 100_000;
    private static final int MAX_COMPILED = 10_000;

    /** An active script ready to run, or the reason it cannot run (a text stored before the engine refused it). */
    public record Ready(SieveScript script, String digest, @Nullable CompiledScript compiled,
                        @Nullable String refusal) { }

    private final SieveScripts scripts;
    private final Cache<Long, Optional<Ready>> active;
    private final Cache<String, Compiled> compiled;
    private final Scheduler worker;

    /** @param worker where scripts are compiled (never an event loop: a script may be 256 KiB) */
    public ActiveScripts(SieveScripts scripts, Scheduler worker) {
        this.scripts = scripts;
        this.worker = worker;
        this.active = Caffeine.newBuilder().expireAfterWrite(ACTIVE_TTL).maximumSize(MAX_ACCOUNTS).build();
        this.compiled = Caffeine.newBuilder().maximumSize(MAX_COMPILED).build();
    }

    @Override
    public Flux<SieveScript> list(long accountId) {
        return scripts.list(accountId);
    }

    @Override
    public Mono<SieveScript> get(long accountId, String name) {
        return scripts.get(accountId, name);
    }

    @Override
    public Mono<Void> put(long accountId, String name, String content) {
        return scripts.put(accountId, name, content).doFinally(signal -> changed(accountId));
    }

    @Override
    public Mono<Void> activate(long accountId, @Nullable String name) {
        return scripts.activate(accountId, name).doFinally(signal -> changed(accountId));
    }

    @Override
    public Mono<Void> delete(long accountId, String name) {
        return scripts.delete(accountId, name).doFinally(signal -> changed(accountId));
    }

    @Override
    public Mono<Void> rename(long accountId, String oldName, String newName) {
        return scripts.rename(accountId, oldName, newName).doFinally(signal -> changed(accountId));
    }

    /** The active scripts as stored, read now (delivery reads them through {@link #of}). */
    @Override
    public Mono<Map<Long, SieveScript>> active(Collection<Long> accountIds) {
        return scripts.active(accountIds);
    }

    @Override
    public Mono<Boolean> vacationDue(long accountId, String sender, String handle, Instant now, Duration period) {
        return scripts.vacationDue(accountId, sender, handle, now, period);
    }

    @Override
    public Mono<Boolean> firstFailure(long accountId, String digest) {
        return scripts.firstFailure(accountId, digest);
    }

    /** Forgets what this node read about {@code accountId}'s scripts: its next message reads them again. */
    private void changed(long accountId) {
        active.invalidate(accountId);
    }

    /** The active scripts of those of {@code accountIds} that have one; one query for the accounts not cached. */
    Mono<Map<Long, Ready>> of(Collection<Long> accountIds) {
        Map<Long, Ready> found = new HashMap<>();
        List<Long> missing = new ArrayList<>();
        for (long account : accountIds) {
            Optional<Ready> known = active.getIfPresent(account);
            if (known == null) {
                missing.add(account);
            } else {
                known.ifPresent(ready -> found.put(account, ready));
            }
        }
        if (missing.isEmpty()) {
            return Mono.just(found);
        }
        return scripts.active(missing).publishOn(worker).map(read -> {
            for (long account : missing) {
                SieveScript script = read.get(account);
                Optional<Ready> ready = Optional.ofNullable(script).map(this::ready);
                active.put(account, ready);
                ready.ifPresent(r -> found.put(account, r));
            }
            return found;
        });
    }

    private Ready ready(SieveScript script) {
        String digest = sha256(script.content());
        Compiled result = compiled.get(digest, d -> compile(script.content()));
        return new Ready(script, digest, result.script, result.refusal);
    }

    private static Compiled compile(String text) {
        try {
            return new Compiled(SieveCompiler.compile(text), null);
        } catch (CompileException refused) {
            return new Compiled(null, refused.getMessage());
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private record Compiled(@Nullable CompiledScript script, @Nullable String refusal) { }
}
