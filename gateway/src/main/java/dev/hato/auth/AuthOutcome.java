package dev.hato.auth;

import dev.hato.store.directory.Account;

/** The result of a login attempt; protocols map each case to their own reply. */
public sealed interface AuthOutcome permits AuthOutcome.Success, AuthOutcome.Rejected, AuthOutcome.Unavailable {

    record Success(Account account) implements AuthOutcome { }

    /**
     * Wrong auth ID or password. {@code addressGiven} is true when the login looked like an e-mail address, so the
     * reply can point to the auth ID; it says nothing about whether that address or any auth ID exists.
     */
    record Rejected(boolean addressGiven) implements AuthOutcome { }

    /** The credential source could not answer; the client should try again later (never "wrong password"). */
    record Unavailable(String reason) implements AuthOutcome { }
}
