package dev.hato.delivery;

import dev.hato.store.directory.Account;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The quota step (issue 4 §1: quotas are enforced on delivery): a recipient all of whose accounts are already full
 * is refused before the message is sent ({@code 452 4.2.2}, temporary, as the owner may make room), and the
 * accounts a message would take over quota do not get it (RFC 3463 X.2.2 mailbox full).
 */
public final class QuotaStep {

    /** What a recipient over quota is told, in its failure notification. */
    static final DeliveryReply QUOTA_EXCEEDED = new DeliveryReply(552, "5.2.2", "Mailbox full: quota exceeded");

    /** Quota lookups in flight at the end of a message for many recipients. */
    private static final int LOOKUPS = 8;

    private final @Nullable DeliveryQuotas quotas;

    /** {@code quotas} null delivers without looking at quotas. */
    public QuotaStep(@Nullable DeliveryQuotas quotas) {
        this.quotas = quotas;
    }

    /**
     * {@code admitted} refused when quotas are enforced and every one of its accounts (at least one) is full and
     * nothing of it goes elsewhere; otherwise {@code admitted} itself. Accounts seen without any limit are
     * remembered in {@code recipients}, so the end of the message need not look them up again.
     */
    public Mono<Admission> admit(AcceptedRecipients recipients, Admission.Admitted admitted) {
        return allFull(recipients, admitted.accounts()).map(full -> full && !admitted.queuesOutbound()
                ? new Admission.Refused(new DeliveryReply(452, "4.2.2", "<" + admitted.recipient()
                        + ">: Mailbox full, try again later"))
                : admitted);
    }

    private Mono<Boolean> allFull(AcceptedRecipients recipients, List<Account> accounts) {
        DeliveryQuotas lookup = quotas;
        if (lookup == null || accounts.isEmpty()) {
            return Mono.just(false);
        }
        return Flux.fromIterable(accounts)
                .concatMap(account -> lookup.quota(account.id()).doOnNext(quota -> {
                    if (quota.limitOctets() == null && quota.limitMessages() == null) {
                        recipients.unlimited(account.id());
                    }
                }))
                .all(DeliveryQuotas::full);
    }

    /** The accounts a message of {@code size} octets would take over their quota; empty without quotas. */
    public Mono<Set<Long>> overQuota(AcceptedRecipients recipients, Collection<Long> accounts, long size) {
        DeliveryQuotas lookup = quotas;
        if (lookup == null || accounts.isEmpty()) {
            return Mono.just(Set.of());
        }
        // a list can reach hundreds of accounts: a few lookups at a time, not one after another
        return Flux.fromIterable(List.copyOf(accounts))
                .filter(account -> !recipients.isUnlimited(account))
                .flatMap(account -> lookup.quota(account)
                        .filter(quota -> !DeliveryQuotas.fits(quota, size))
                        .map(quota -> account), LOOKUPS)
                .collect(LinkedHashSet::new, Set::add);
    }
}
