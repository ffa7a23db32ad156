package dev.hato.smtp.session;

import dev.hato.store.mail.Mailboxes;
import reactor.core.publisher.Mono;

/**
 * The storage quota of an account (RFC 9208, {@link Mailboxes#quota}), which delivery respects (issue 4 §1: quotas
 * are enforced on APPEND and on delivery): a recipient whose mailbox is already full is refused at RCPT with
 * {@code 452 4.2.2}, and one that a message would overfill does not get it (RFC 3463 X.2.2 mailbox full).
 */
@FunctionalInterface
public interface DeliveryQuotas {

    Mono<Mailboxes.Quota> quota(long accountId);

    /** Whether nothing more fits: a limit already reached. */
    static boolean full(Mailboxes.Quota quota) {
        return quota.limitOctets() != null && quota.usedOctets() >= quota.limitOctets()
                || quota.limitMessages() != null && quota.usedMessages() >= quota.limitMessages();
    }

    /** Whether one more message of {@code size} octets stays within both limits. */
    static boolean fits(Mailboxes.Quota quota, long size) {
        return (quota.limitOctets() == null || quota.usedOctets() + size <= quota.limitOctets())
                && (quota.limitMessages() == null || quota.usedMessages() + 1 <= quota.limitMessages());
    }
}
