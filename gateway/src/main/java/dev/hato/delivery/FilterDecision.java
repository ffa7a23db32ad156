package dev.hato.delivery;

import dev.hato.sieve.Action;
import dev.hato.sieve.SieveMessage;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.Copy;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What per-recipient filtering decided for one message: the local copies to store (each with its mailbox and
 * flags), the addresses it is redirected to, the accounts that refused it (with the reason their script gave), the
 * vacation responses to consider once it is committed, and the scripts that failed (their owners are told).
 *
 * @param copies     the local copies, the implicit keep included; empty when every account discarded, redirected
 *                   or refused it
 * @param redirects  the addresses the message is sent on to (RFC 5228 §4.2), with the account that sent it
 * @param rejected   accounts that refused it (RFC 5429), with the reason for the sender
 * @param extended   whether every refusal was an {@code ereject}, which may be given at the protocol level
 */
public record FilterDecision(List<Copy> copies, List<Redirected> redirects, Map<Long, String> rejected,
                             boolean extended, List<Vacation> vacations, List<Failure> failures) {

    public FilterDecision {
        copies = List.copyOf(copies);
        redirects = List.copyOf(redirects);
        rejected = Map.copyOf(rejected);
        vacations = List.copyOf(vacations);
        failures = List.copyOf(failures);
    }

    /** Every account keeps the message in its INBOX: no filter ran. */
    public static FilterDecision keepAll(List<Long> accounts) {
        return new FilterDecision(Copy.inboxes(accounts), List.of(), Map.of(), false, List.of(), List.of());
    }

    /** The accounts that get a local copy. */
    public Set<Long> storing() {
        return Set.copyOf(copies.stream().map(Copy::accountId).toList());
    }

    /** A redirect of the message by {@code account}'s script. */
    public record Redirected(long account, String address) { }

    /**
     * A vacation action of {@code account}'s script, for the message sent to {@code recipient}, as the script saw it
     * ({@code message}: the response quotes its subject and answers its Message-ID).
     */
    public record Vacation(Account account, String recipient, Action.Vacation action, SieveMessage message) { }

    /** {@code account}'s active script {@code name} (text with SHA-256 {@code digest}) failed with {@code reason}. */
    public record Failure(Account account, String name, String digest, String reason) { }
}
