package dev.hato.delivery;

import dev.hato.store.directory.Account;
import java.util.List;

/** What a recipient address turned out to be. */
public sealed interface Recipient
        permits Recipient.Resolved, Recipient.UnknownLocal, Recipient.Unroutable, Recipient.Remote {

    /**
     * An address of a local domain, expanded: the accounts that receive the message, the addresses elsewhere it is
     * forwarded to, and the local addresses whose alias or forwarding sent it elsewhere (they become
     * {@code Delivered-To} fields, by which a message coming back is recognised as a loop).
     */
    record Resolved(List<Account> accounts, List<String> remote, List<String> forwardedBy) implements Recipient {
        public Resolved {
            accounts = List.copyOf(accounts);
            remote = List.copyOf(remote);
            forwardedBy = List.copyOf(forwardedBy);
        }
    }

    /** A local domain, but no such address (and no catch-all). */
    record UnknownLocal(String address) implements Recipient { }

    /** A local address whose aliases lead nowhere: a loop among local aliases, or nesting too deep. */
    record Unroutable(String address, String reason) implements Recipient { }

    /** Not one of our domains. */
    record Remote(String address) implements Recipient { }
}
