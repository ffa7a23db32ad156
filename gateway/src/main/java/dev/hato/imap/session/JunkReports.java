package dev.hato.imap.session;

import dev.hato.store.directory.Account;
import dev.hato.store.mail.MessageMeta;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where a person's judgement of their mail goes: messages moved or copied into the {@code \Junk} mailbox are spam,
 * messages taken out of it (anywhere but {@code \Trash}) are not, as Dovecot's imapsieve reports them to a spam
 * filter for learning. Reporting never delays or fails the command: it is handed on and done in the background.
 */
public interface JunkReports {

    /** Reports nothing: no spam filter learns. */
    JunkReports NONE = (account, messages, spam) -> { };

    /** {@code messages} of {@code account} were put into Junk ({@code spam}) or taken out of it; must not block. */
    void report(Account account, List<MessageMeta> messages, boolean spam);

    /**
     * What moving or copying from a mailbox of {@code sourceUse} to one of {@code targetUse} (RFC 6154 special uses,
     * null for none) says: true for spam, false for not spam, null for nothing.
     */
    static @Nullable Boolean judgement(@Nullable String sourceUse, @Nullable String targetUse) {
        boolean fromJunk = "\\Junk".equalsIgnoreCase(sourceUse);
        boolean toJunk = "\\Junk".equalsIgnoreCase(targetUse);
        if (toJunk && !fromJunk) {
            return Boolean.TRUE;
        }
        if (fromJunk && !toJunk && !"\\Trash".equalsIgnoreCase(targetUse)) {
            return Boolean.FALSE;
        }
        return null;
    }
}
