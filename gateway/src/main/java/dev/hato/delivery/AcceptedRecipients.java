package dev.hato.delivery;

import dev.hato.dsn.RecipientReport;
import dev.hato.store.directory.Account;
import dev.hato.store.queue.OutboundRecipient;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The recipients of one message so far, as the pipeline admitted them: the accounts it goes to, the addresses
 * elsewhere it is queued for, and what each requested recipient asked to be told (RFC 3461). Confined to the
 * session that receives the message (not thread-safe).
 */
public final class AcceptedRecipients {

    /** Recipients admitted: the unit of a protocol's recipient limit. */
    private int count;
    /** The accounts that receive the message, by id, in admission order. */
    private final Map<Long, Account> accounts = new LinkedHashMap<>();
    /** Recipients elsewhere, by address: the submitted ones and alias/forwarding targets. */
    private final Map<String, OutboundRecipient> outbound = new LinkedHashMap<>();
    /** The addresses as the client wrote them (trace "for" clause). */
    private final List<String> addresses = new ArrayList<>();
    /** Local addresses whose alias or forwarding sent the message elsewhere. */
    private final Set<String> forwardedBy = new LinkedHashSet<>();
    /** For recipients elsewhere that a local alias or forwarding reached: that local address's domain. */
    private final Map<String, String> forwardedVia = new LinkedHashMap<>();
    /** Recipients that asked for a success notification (RFC 3461 NOTIFY=SUCCESS) and get it from here. */
    private final List<RecipientReport> successes = new ArrayList<>();
    /** Accounts whose quota had no limit at admission (a limit set since then applies to the next message). */
    private final Set<Long> unlimited = new HashSet<>();
    /** For each local account, the recipient that reached it first: its address, ORCPT and NOTIFY. */
    private final Map<Long, Requested> requestOf = new LinkedHashMap<>();
    /** Every admitted recipient with what it reached, for the verdicts. */
    private final List<Reached> reached = new ArrayList<>();

    /** How many recipients were admitted. */
    public int count() {
        return count;
    }

    /** The addresses admitted, as the client wrote them. */
    public List<String> addresses() {
        return List.copyOf(addresses);
    }

    /** The ids of the accounts that receive the message. */
    public Set<Long> accountIds() {
        return Set.copyOf(accounts.keySet());
    }

    /** Whether anything is queued for elsewhere. */
    public boolean queuesOutbound() {
        return !outbound.isEmpty();
    }

    /** Local addresses whose alias or forwarding sent the message elsewhere (the loop step's marks). */
    public List<String> forwardedBy() {
        return List.copyOf(forwardedBy);
    }

    /**
     * The {@code Delivered-To} fields the message gets on its way in (RFC 5321 §6.3 loop detection): only when the
     * message leaves (a loop needs a hop through another server), and only with one recipient: the stored message
     * is shared by all recipients, and an alias or forwarding address must not show to the others (a Bcc would be
     * revealed). Messages to several recipients are caught by the hop count.
     */
    public List<String> deliveredTo() {
        return outbound.isEmpty() || count != 1 ? List.of() : List.copyOf(forwardedBy);
    }

    List<Long> accountsInOrder() {
        return List.copyOf(accounts.keySet());
    }

    /** The account {@code id}, which this message reaches. */
    Account account(long id) {
        Account account = accounts.get(id);
        if (account == null) {
            throw new IllegalArgumentException("the message does not reach account " + id);
        }
        return account;
    }

    /** The address, as the client wrote it, of the first recipient that reached account {@code id}. */
    String requestedAddress(long id) {
        Requested requested = requestOf.get(id);
        return requested == null ? account(id).address() : requested.address();
    }

    /** The domain of the local address that forwarded the message to {@code address}, or null (not forwarded). */
    @Nullable String forwardedVia(String address) {
        return forwardedVia.get(address);
    }

    List<OutboundRecipient> outbound() {
        return List.copyOf(outbound.values());
    }

    List<Reached> reached() {
        return List.copyOf(reached);
    }

    void unlimited(long account) {
        unlimited.add(account);
    }

    boolean isUnlimited(long account) {
        return unlimited.contains(account);
    }

    /**
     * Records one admitted recipient and what it expanded to. {@code request.orcpt()} is reported as such;
     * {@code admitted.onwardOrcpt()} goes with copies sent elsewhere. DSN parameters follow the message to remote
     * targets; with NOTIFY=SUCCESS a recipient delivered here is reported "delivered", and one that expanded to
     * several targets "expanded", its targets then carrying NOTIFY without SUCCESS (RFC 3461 §6.2.7.3). A recipient
     * forwarded one-to-one elsewhere passes its NOTIFY on unchanged, as a relay does.
     */
    void accept(RecipientRequest request, Admission.Admitted admitted) {
        String address = admitted.recipient();
        Set<OutboundRecipient.Notify> notify = request.notifyOn();
        List<Account> local = admitted.accounts();
        List<String> remote = admitted.remote();
        List<Recipient.Legacy> legacy = admitted.legacy();
        count++;
        addresses.add(address);
        local.forEach(account -> accounts.putIfAbsent(account.id(), account));
        local.forEach(account -> requestOf.putIfAbsent(account.id(),
                new Requested(address, request.orcpt(), notify)));
        List<String> elsewhere = new ArrayList<>(remote);
        legacy.forEach(person -> elsewhere.add(person.address()));
        reached.add(new Reached(address, local.stream().map(Account::id).toList(), elsewhere));
        boolean success = notify.contains(OutboundRecipient.Notify.SUCCESS);
        // RFC 3461 §6.2.7: an alias of exactly one address is not an expansion; the copy is reported as such.
        boolean expanded = local.size() + remote.size() + legacy.size() > 1;
        Set<OutboundRecipient.Notify> passed = notify;
        if (success && expanded) {
            EnumSet<OutboundRecipient.Notify> without = EnumSet.noneOf(OutboundRecipient.Notify.class);
            without.addAll(notify);
            without.remove(OutboundRecipient.Notify.SUCCESS);
            passed = without.isEmpty() ? EnumSet.of(OutboundRecipient.Notify.NEVER) : without;
            successes.add(new RecipientReport(address, request.orcpt(), RecipientReport.Action.EXPANDED, "2.0.0",
                    null, null, null, null));
        } else if (success && !local.isEmpty()) {
            successes.add(RecipientReport.delivered(address, request.orcpt()));
        }
        for (String target : remote) {
            outbound.putIfAbsent(target, new OutboundRecipient(target, passed, admitted.onwardOrcpt()));
            if (!admitted.forwardedBy().isEmpty()) {
                String via = admitted.forwardedBy().get(0);
                forwardedVia.putIfAbsent(target, via.substring(via.lastIndexOf('@') + 1));
            }
        }
        // Issue 17: a person on a legacy system is relayed to its MTA as a relay would, with the message's own
        // envelope sender (no SRS: the old system is part of this site) and their address as RCPT TO.
        for (Recipient.Legacy person : legacy) {
            outbound.putIfAbsent(person.address(), new OutboundRecipient(person.address(), passed,
                    admitted.onwardOrcpt()).viaLegacy(person.backend()));
        }
        forwardedBy.addAll(admitted.forwardedBy());
    }

    /** The legacy system whose MTA takes the queued recipient {@code address}, or null (its domain's MX hosts). */
    @Nullable String transportOf(String address) {
        OutboundRecipient recipient = outbound.get(address);
        return recipient == null ? null : recipient.transport();
    }

    /** As {@link #reports(Map)}, for accounts that did not get the message because it was over their quota. */
    List<RecipientReport> reports(Collection<Long> over) {
        Map<Long, DeliveryReply> failures = new LinkedHashMap<>();
        over.forEach(account -> failures.put(account, QuotaStep.QUOTA_EXCEEDED));
        return reports(failures);
    }

    /**
     * The notifications to send once the message is committed: the success ones, without recipients whose
     * accounts in {@code failures} did not get the message, and a failure (with that account's reply) for each
     * recipient that reached such an account (RFC 3461 §4.1: unless it asked NOTIFY without FAILURE; no NOTIFY
     * means FAILURE,DELAY).
     */
    List<RecipientReport> reports(Map<Long, DeliveryReply> failures) {
        Set<String> failed = new LinkedHashSet<>();
        List<RecipientReport> reports = new ArrayList<>();
        for (Map.Entry<Long, DeliveryReply> failure : failures.entrySet()) {
            Requested requested = requestOf.get(failure.getKey());
            if (requested == null || !failed.add(requested.address())) {
                continue;
            }
            if (requested.notifyOn().isEmpty()
                    || requested.notifyOn().contains(OutboundRecipient.Notify.FAILURE)) {
                DeliveryReply reply = failure.getValue();
                reports.add(new RecipientReport(requested.address(), requested.orcpt(),
                        RecipientReport.Action.FAILED, reply.status(), null, "smtp; " + reply.line(), null, null));
            }
        }
        for (RecipientReport success : successes) {
            if (!failed.contains(success.finalRecipient())) {
                reports.add(success);
            }
        }
        return reports;
    }

    /** One admitted recipient as notifications name it. */
    private record Requested(String address, @Nullable String orcpt, Set<OutboundRecipient.Notify> notifyOn) { }

    /** One admitted recipient and the accounts and remote addresses it reached. */
    record Reached(String address, List<Long> accounts, List<String> remote) { }
}
