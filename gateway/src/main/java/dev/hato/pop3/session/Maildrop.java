package dev.hato.pop3.session;

import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MessageMeta;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The maildrop as numbered at login, with the deletion marks of this session. */
final class Maildrop {
    final Account account;
    final MailboxInfo inbox;
    final List<MessageMeta> messages;
    final boolean[] deleted;
    Instant leaseRenewed = Instant.now();
    boolean released;

    Maildrop(Account account, MailboxInfo inbox, List<MessageMeta> messages) {
        this.account = account;
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
