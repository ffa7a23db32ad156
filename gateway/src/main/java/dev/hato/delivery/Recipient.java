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
    record Resolved(List<Account> accounts, List<String> remote, List<String> forwardedBy, List<Legacy> legacy)
            implements Recipient {
        public Resolved {
            accounts = List.copyOf(accounts);
            remote = List.copyOf(remote);
            forwardedBy = List.copyOf(forwardedBy);
            legacy = List.copyOf(legacy);
        }

        /** Nobody served by a legacy system. */
        public Resolved(List<Account> accounts, List<String> remote, List<String> forwardedBy) {
            this(accounts, remote, forwardedBy, List.of());
        }

        /** Whether it reaches nobody at all. */
        public boolean isEmpty() {
            return accounts.isEmpty() && remote.isEmpty() && legacy.isEmpty();
        }
    }

    /**
     * A person of a local domain still served by the legacy system {@code backend} (issue 17, route
     * {@code legacy:NAME}): their mail is relayed to that system's MTA, addressed to {@code address} (their
     * account's address, by which the old system knows them); {@code smtp}: whether that system has an SMTP server.
     */
    record Legacy(String address, String backend, boolean smtp) { }

    /** A local domain, but no such address (and no catch-all). */
    record UnknownLocal(String address) implements Recipient { }

    /** A local address whose aliases lead nowhere: a loop among local aliases, or nesting too deep. */
    record Unroutable(String address, String reason) implements Recipient { }

    /** Not one of our domains. */
    record Remote(String address) implements Recipient { }
}
