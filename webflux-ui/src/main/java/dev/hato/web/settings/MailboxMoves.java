package dev.hato.web.settings;

import java.time.Instant;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * What the settings page shows of a person's move from the old mail system (issue 17): where they are served now
 * and how far the copying of their mail has come. The gateway reads it from the store's routes and migration status.
 */
@FunctionalInterface
public interface MailboxMoves {

    /** Nobody is moving: the page shows no move. */
    MailboxMoves NONE = accountId -> Mono.empty();

    /** The person's move; empty when they have none (never on an old system). */
    Mono<Move> of(long accountId);

    /**
     * {@code onOldSystem}: the old system still serves them (their mail is there, not here); {@code state}: the
     * copier's ({@code copying}, {@code copied}, {@code failed}, {@code moved}, {@code rolled-back}) or null before
     * it started; {@code copied}: messages copied so far; {@code verified}: the last verification's outcome, null
     * when none ran; {@code updated}: when it last changed (null before it started).
     */
    record Move(boolean onOldSystem, @Nullable String state, long copied, @Nullable Boolean verified,
                @Nullable Instant updated) { }
}
