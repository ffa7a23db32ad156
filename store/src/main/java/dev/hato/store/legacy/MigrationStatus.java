package dev.hato.store.legacy;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where one person's migration stands: the old system, the state ({@code queued}, {@code copying}, {@code copied},
 * {@code failed}, {@code moved}, {@code rolled-back}), the passes run, the messages copied and refused over all of
 * them, the last verification ({@code null}: none yet), the last error, and when it started and last changed.
 * {@code background}: the server makes the passes by itself, the next at {@code nextPassAt}; with
 * {@code cutoverWhenVerified} it moves the person once a pass was verified; with {@code tellPerson} the person is told.
 */
public record MigrationStatus(long accountId, String address, String domain, String backend, String state,
                              int passes, long copied, long refused, @Nullable Boolean verified,
                              @Nullable String lastError, Instant startedAt, Instant updatedAt, boolean background,
                              boolean cutoverWhenVerified, boolean tellPerson, @Nullable Instant nextPassAt) { }
