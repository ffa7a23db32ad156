package dev.hato.migration;

import dev.hato.store.mail.MailboxInfo;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Which folder of the account an old folder goes to. The names other servers and clients give their special
 * folders go to the account's mailbox with that RFC 6154 attribute, so that an import does not leave a "Sent Items"
 * beside Hato's "Sent": see {@link #NAMES}, compared without regard to case, on the first level of a name
 * ({@code Sent Items/2019} goes to {@code Sent/2019}). Other folders keep their names.
 */
final class SpecialUseNames {

    /** The special-use attribute of each name that is mapped. */
    static final Map<String, String> NAMES = names(Map.of(
            "\\Sent", List.of("Sent", "Sent Messages", "Sent Items", "Sent Mail"),
            "\\Drafts", List.of("Drafts", "Draft"),
            "\\Trash", List.of("Trash", "Deleted Messages", "Deleted Items", "Bin"),
            "\\Junk", List.of("Junk", "Spam", "Junk E-mail", "Junk Email", "Bulk Mail"),
            "\\Archive", List.of("Archive", "Archives")));

    private final Map<String, String> bySpecialUse = new HashMap<>();

    /** The mapping into an account that has {@code mailboxes}. */
    SpecialUseNames(List<MailboxInfo> mailboxes) {
        for (MailboxInfo mailbox : mailboxes) {
            if (mailbox.specialUse() != null) {
                bySpecialUse.putIfAbsent(mailbox.specialUse(), mailbox.name());
            }
        }
    }

    private static Map<String, String> names(Map<String, List<String>> byUse) {
        Map<String, String> names = new HashMap<>();
        byUse.forEach((use, list) -> list.forEach(name -> names.put(name.toLowerCase(Locale.ROOT), use)));
        return Map.copyOf(names);
    }

    /** The folder of the account that {@code source} (Hato's form) goes to. */
    String target(String source) {
        int slash = source.indexOf('/');
        String first = slash < 0 ? source : source.substring(0, slash);
        String use = NAMES.get(first.toLowerCase(Locale.ROOT));
        String mailbox = use == null ? null : bySpecialUse.get(use);
        return mailbox == null ? source : mailbox + (slash < 0 ? "" : source.substring(slash));
    }

    /**
     * The special-use attribute to create {@code source} with when the account has no mailbox with it: only a
     * first-level name that is mapped, and only when {@link #target} left it as it is.
     */
    @Nullable String specialUseToCreate(String source) {
        String use = source.indexOf('/') < 0 ? NAMES.get(source.toLowerCase(Locale.ROOT)) : null;
        return use == null || bySpecialUse.containsKey(use) ? null : use;
    }
}
