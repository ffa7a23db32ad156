package dev.hato.web.mail;

import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MailboxStatus;
import dev.hato.store.mail.Mailboxes;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One folder (IMAP mailbox) as the webmail shows it: in the folder tree with its depth and last name segment, its
 * message and unread counts, whether it is subscribed.
 *
 * @param name the full name, {@code /} between levels (as the store keeps it: Unicode, INBOX spelled so)
 * @param uidNext the UID the next message will get: with {@code messages}, it tells whether any message came or went
 */
public record Folder(long id, String name, @Nullable String specialUse, long messages, long unseen,
                     boolean subscribed, long uidNext) {

    static final char DELIMITER = '/';
    static final String INBOX = "INBOX";
    static final String TRASH = "\\Trash";
    /** The INBOX of an account that has none stored yet: no ID any mailbox has, nothing in it. */
    static final Folder EMPTY_INBOX = new Folder(0, INBOX, null, 0, 0, true, 1);

    /** How deep in the tree: 0 for a top-level folder. */
    public int depth() {
        int depth = 0;
        for (int i = 0; i < name.length(); i++) {
            depth += name.charAt(i) == DELIMITER ? 1 : 0;
        }
        return depth;
    }

    /** The last segment of the name, shown in the tree. */
    public String label() {
        return name.substring(name.lastIndexOf(DELIMITER) + 1);
    }

    public boolean inbox() {
        return name.equals(INBOX);
    }

    public boolean trash() {
        return TRASH.equals(specialUse);
    }

    /** The CSS class that indents this folder in the tree. */
    public String indent() {
        return "depth-" + Math.min(depth(), 6);
    }

    /** Every folder of the account with its counts, INBOX first, then by name (so children follow their parent). */
    static Mono<List<Folder>> all(Mailboxes mailboxes, long accountId) {
        Mono<Set<String>> subscribed = mailboxes.subscriptions(accountId).collect(java.util.stream.Collectors.toSet());
        return Mono.zip(subscribed, mailboxes.statuses(accountId)).flatMap(found -> mailboxes.list(accountId)
                // A folder made between the two reads has no counts yet: it is in the next page's tree.
                .filter(info -> found.getT2().containsKey(info.id()))
                .map(info -> of(info, found.getT2().get(info.id()), found.getT1().contains(info.name())))
                .collectSortedList(ORDER));
    }

    static Folder of(MailboxInfo info, MailboxStatus status, boolean subscribed) {
        return new Folder(info.id(), info.name(), info.specialUse(), status.messages(), status.unseen(), subscribed,
                status.uidNext());
    }

    static final Comparator<Folder> ORDER = Comparator.comparing((Folder folder) -> !folder.inbox())
            .thenComparing(folder -> folder.name().replace(DELIMITER, '\0'));

    /** The folder of this id among {@code folders}, or empty (not the person's, or gone). */
    static Mono<Folder> find(List<Folder> folders, long id) {
        return Flux.fromIterable(folders).filter(folder -> folder.id() == id).next();
    }
}
