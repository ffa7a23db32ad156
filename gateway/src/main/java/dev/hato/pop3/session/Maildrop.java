package dev.hato.pop3.session;

import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The maildrop as numbered at login, with the deletion marks of this session. */
final class Maildrop {
    final Account account;
    final MailboxInfo inbox;
    final List<MessageMeta> messages;
    final boolean[] deleted;
    /** The unique-ids the old server gave messages copied from it, by UID (issue 17). */
    final Map<Long, String> keptUidls;
    Instant leaseRenewed = Instant.now();
    boolean released;

    Maildrop(Account account, MailboxInfo inbox, List<MessageMeta> messages, Map<Long, String> keptUidls) {
        this.account = account;
        this.keptUidls = Map.copyOf(keptUidls);
        this.inbox = inbox;
        this.messages = List.copyOf(messages);
        this.deleted = new boolean[messages.size()];
    }

    @Nullable MessageMeta get(int number) {
        if (number < 1 || number > messages.size() || deleted[number - 1]) {
            return null;
        }
        return messages.get(number - 1);
    }

    int count() {
        int count = 0;
        for (boolean gone : deleted) {
            count += gone ? 0 : 1;
        }
        return count;
    }

    long octets() {
        long octets = 0;
        for (int i = 0; i < messages.size(); i++) {
            octets += deleted[i] ? 0 : messages.get(i).size();
        }
        return octets;
    }
}
