package dev.hato.imap.session;

import dev.hato.store.directory.Account;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The state of one IMAP connection (RFC 3501 §3): each command's handler is reached only in the states its route in
 * {@link ImapSession} allows. {@link Logout} is final: once a session is in it, no transition leaves it.
 */
sealed interface ImapState {

    /** The account logged in, null before login. */
    @Nullable Account account();

    /** RFC 3501 §3.1: before LOGIN or AUTHENTICATE succeeded. */
    record NotAuthenticated() implements ImapState {
        @Override
        public @Nullable Account account() {
            return null;
        }
    }

    /** RFC 3501 §3.2: logged in, no mailbox selected. */
    record Authenticated(Account account) implements ImapState {
    }

    /**
     * RFC 3501 §3.3: a mailbox selected; {@code saved} is RFC 5182's result of the last SEARCH ... RETURN (SAVE), for
     * {@code $}, which lives as long as the selection.
     */
    record Selected(Account account, SelectedMailbox mailbox, List<Long> saved) implements ImapState {
        Selected(Account account, SelectedMailbox mailbox) {
            this(account, mailbox, List.of());
        }

        Selected withSaved(List<Long> result) {
            return new Selected(account, mailbox, result);
        }
    }

    /**
     * RFC 3501 §3.4: the connection is ending (LOGOUT, BYE, shutdown, closed); {@code account} is whoever was logged
     * in, null if no one.
     */
    record Logout(@Nullable Account account) implements ImapState {
    }
}
