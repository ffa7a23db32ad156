package dev.hato.store.sieve;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Each person's Sieve scripts (RFC 5804's model: named scripts, at most one active). The store checks names and
 * limits, never the Sieve language: callers compile a script before they {@link #put} it.
 */
public interface SieveScripts {

    /** Most scripts one person may keep. */
    int MAX_SCRIPTS = 32;
    /** Largest script, in octets of UTF-8. */
    int MAX_SCRIPT_OCTETS = 256 * 1024;
    /** Longest script name, in characters. */
    int MAX_NAME_LENGTH = 128;

    /** The person's scripts by name (their text included). */
    Flux<SieveScript> list(long accountId);

    /** One script; empty when there is none of that name. */
    Mono<SieveScript> get(long accountId, String name);

    /**
     * Stores {@code content} under {@code name}, replacing a script of that name (which stays active if it was).
     * Errors with {@link SieveScriptException} for a bad name, or when the person would have more than
     * {@link #MAX_SCRIPTS} scripts or the text is over {@link #MAX_SCRIPT_OCTETS}.
     */
    Mono<Void> put(long accountId, String name, String content);

    /** Makes {@code name} the active script, or, when null, deactivates all of them. */
    Mono<Void> activate(long accountId, @Nullable String name);

    /** Deletes a script that is not active. */
    Mono<Void> delete(long accountId, String name);

    /** Renames a script, keeping its text and whether it is active. */
    Mono<Void> rename(long accountId, String oldName, String newName);

    /** The active script of each of {@code accountIds} that has one; one query, for delivery. */
    Mono<Map<Long, SieveScript>> active(Collection<Long> accountIds);

    /**
     * Records that a vacation response goes from {@code accountId} to {@code sender} for {@code handle} now, unless
     * one went within {@code period}: true when the response is due (and is now recorded), false when it is not.
     */
    Mono<Boolean> vacationDue(long accountId, String sender, String handle, Instant now, Duration period);

    /**
     * Records that the owner is told that their script with SHA-256 {@code digest} failed: true the first time for
     * that digest, false after.
     */
    Mono<Boolean> firstFailure(long accountId, String digest);

    /** Whether {@code name} is a name the store accepts: 1 to 128 characters, no control character, no slash. */
    static boolean validName(String name) {
        if (name.isEmpty() || name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
            return false;
        }
        return name.codePoints().noneMatch(c -> c == '/' || Character.isISOControl(c)
                || c == 0x2028 || c == 0x2029);
    }
}
