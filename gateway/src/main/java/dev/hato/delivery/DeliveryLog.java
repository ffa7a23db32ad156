package dev.hato.delivery;

import dev.hato.maillog.MailEvent;
import dev.hato.maillog.MailLog;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.queue.QueuedRecipient;
import java.time.Instant;
import java.util.List;

/**
 * What the pipeline tells the mail log once a message is committed: per recipient, the local mailboxes it was
 * stored in (account, mailbox, UID), the addresses it was queued for elsewhere (with the outbound queue's id), or
 * why it failed (over quota: the sender gets a failure notification unless it asked NOTIFY=NEVER).
 */
final class DeliveryLog {

    private DeliveryLog() { }

    static void committed(MailLog log, Instant now, InboundMessage message, DeliveryReceipt receipt,
                          DeliveryResult result) {
        List<AcceptedRecipients.Reached> reached = message.recipients().reached();
        for (int i = 0; i < reached.size() && i < result.verdicts().size(); i++) {
            AcceptedRecipients.Reached recipient = reached.get(i);
            RecipientVerdict verdict = result.verdicts().get(i);
            if (verdict instanceof RecipientVerdict.Failed failed) {
                log.record(MailEvent.of(now, MailEvent.BOUNCED, message.id(), null,
                        "to", recipient.address(), "reason", failed.reply().line()));
                continue;
            }
            for (MessageMeta stored : receipt.messages()) {
                if (recipient.accounts().contains(stored.accountId())) {
                    log.record(MailEvent.of(now, MailEvent.DELIVERED, message.id(), null,
                            "to", recipient.address(), "account", stored.accountId(),
                            "mailbox", receipt.mailboxNames().getOrDefault(stored.mailboxId(), "INBOX"),
                            "mailbox_id", stored.mailboxId(), "uid", stored.uid()));
                }
            }
            for (String remote : recipient.remote()) {
                String transport = message.recipients().transportOf(remote);
                log.record(MailEvent.of(now, MailEvent.QUEUED, message.id(), receipt.queuedMessageId(),
                        "to", remote, "orig_to", remote.equals(recipient.address()) ? null : recipient.address(),
                        "transport", transport == null ? null : QueuedRecipient.LEGACY_PREFIX + transport));
            }
        }
    }
}
