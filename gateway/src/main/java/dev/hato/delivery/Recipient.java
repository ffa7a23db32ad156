package dev.hato.delivery;

import dev.hato.store.Account;

/** What a recipient address turned out to be. */
public sealed interface Recipient permits Recipient.Local, Recipient.UnknownLocal, Recipient.Remote {

    /** An account of a local domain. */
    record Local(Account account) implements Recipient { }

    /** A local domain, but no such address. */
    record UnknownLocal(String address) implements Recipient { }

    /** Not one of our domains. */
    record Remote(String address) implements Recipient { }
}
