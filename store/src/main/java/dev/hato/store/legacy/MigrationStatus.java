package dev.hato.store.legacy;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where one person's migration stands: the old system, the state ({@code copying}, {@code copied}, {@code failed},
 * {@code moved}, {@code rolled-back}), the passes run, the messages copied and refused over all of them, the last
 * verification ({@code null}: none yet), the last error, and when it started and last changed.
 */
public record MigrationStatus(long accountId, String address, String domain, String backend, String state,
                              int passes, long copied, long refused, @Nullable Boolean verified,
                              @Nullable String lastError, Instant startedAt, Instant updatedAt) { }
