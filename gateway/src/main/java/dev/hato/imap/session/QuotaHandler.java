package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/** RFC 9208 QUOTA: GETQUOTA, GETQUOTAROOT and SETQUOTA over the account's one quota root {@code ""}. */
final class QuotaHandler {

    private final ImapSession session;
    private final ImapServices services;

    QuotaHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> getQuota(ImapCommand.GetQuota getQuota) {
        String tag = getQuota.tag();
        if (!getQuota.root().isEmpty()) {
            return session.no(tag, "[NONEXISTENT] No such quota root; the account's quota root is \"\"");
        }
        return session.guarded(tag, quota(session.user()).concatWith(session.done(tag, "OK GETQUOTA completed", true)));
    }

    Flux<Action> getQuotaRoot(ImapCommand.GetQuotaRoot getQuotaRoot) {
        String tag = getQuotaRoot.tag();
        Account user = session.user();
        String name = MailboxNames.fromWire(getQuotaRoot.mailbox(), session.utf8());
        // RFC 9208 §4.3: every mailbox of the account shares the one quota root "".
        return session.guarded(tag, session.find(user, name).thenMany(Flux.concat(
                ImapSession.line("* QUOTAROOT " + MailboxNames.toWire(name, session.utf8()) + " \"\""), quota(user),
                session.done(tag, "OK GETQUOTAROOT completed", true))));
    }

    Flux<Action> setQuota(ImapCommand.SetQuota setQuota) {
        // RFC 9208 §4.1: quotas are the operator's (hato user quota), not the user's to change.
        return session.no(setQuota.tag(), "[NOPERM] Quotas are set by the administrator");
    }

    private Flux<Action> quota(Account user) {
        return services.mailboxes().quota(user.id()).map(quota -> {
            List<String> resources = new ArrayList<>();
            if (quota.limitOctets() != null) {
                // RFC 9208 §5.1: STORAGE in units of 1024 octets.
                resources.add("STORAGE " + (quota.usedOctets() + 1023) / 1024 + " " + quota.limitOctets() / 1024);
            }
            if (quota.limitMessages() != null) {
                resources.add("MESSAGE " + quota.usedMessages() + " " + quota.limitMessages());
            }
            return (Action) Action.line("* QUOTA \"\" (" + String.join(" ", resources) + ")");
        }).flux();
    }
}
