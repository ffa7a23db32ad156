package dev.hato.web.mail;

import dev.hato.message.EncodedWords;
import dev.hato.message.HeaderAddresses;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.directory.Directory;
import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The addresses compose completes: the person's address book first (every address of every contact, by name), then
 * the people they wrote with lately: the senders of the newest messages in the INBOX and the first recipients of the
 * newest in Sent, newest first; each address once, as {@code Name <address>}. Read from the first octets of {@link #LOOKED_AT} messages of each folder (their header sections), so the
 * cost does not grow with the folders.
 */
public final class Correspondents {

    static final int LOOKED_AT = 100;
    static final int HEAD = 2048;
    static final int MAX = 50;

    /** Most address-book entries offered. */
    static final int MAX_CONTACTS = 500;

    private final Mailboxes mailboxes;
    private final Blobs blobs;
    private final @org.jspecify.annotations.Nullable AddressBooks books;
    private final @org.jspecify.annotations.Nullable Directory directory;

    public Correspondents(Mailboxes mailboxes, Blobs blobs) {
        this(mailboxes, blobs, null, null);
    }

    /** With the person's address book and, when their domain lists its people, its address list. */
    public Correspondents(Mailboxes mailboxes, Blobs blobs, @org.jspecify.annotations.Nullable AddressBooks books,
                          @org.jspecify.annotations.Nullable Directory directory) {
        this.mailboxes = mailboxes;
        this.blobs = blobs;
        this.books = books;
        this.directory = directory;
    }

    /** The address book's entries, then the recent correspondents, then the domain's address list. */
    public Mono<List<String>> suggestions(long accountId, String ownAddress) {
        Directory people = directory;
        String domain = ownAddress.substring(ownAddress.lastIndexOf('@') + 1);
        Mono<List<String>> listed = people == null ? Mono.just(List.of())
                : people.addressList(domain, "", MAX_CONTACTS)
                        .map(person -> shown(new HeaderAddresses.Mailbox(person.address(), person.displayName())))
                        .collectList();
        return suggestions(accountId).zipWith(listed, Correspondents::byAddress);
    }

    /** The address book's entries, then the recent correspondents not in it. */
    private Mono<List<String>> suggestions(long accountId) {
        AddressBooks addressBooks = books;
        Mono<List<String>> known = addressBooks == null ? Mono.just(List.of())
                : addressBooks.contacts(accountId, AddressBooks.DEFAULT).filter(c -> !"group".equals(c.card().kind()))
                        .take(MAX_CONTACTS)
                        .flatMapIterable(contact -> contact.emails().stream().map(email -> shown(
                                new HeaderAddresses.Mailbox(email, contact.card().displayName()))).toList())
                        .collectList();
        return known.zipWith(recent(accountId), Correspondents::byAddress);
    }

    /** {@code first}, then the entries of {@code then} whose address is not in it: each address once. */
    private static List<String> byAddress(List<String> first, List<String> then) {
        Map<String, String> all = new LinkedHashMap<>();
        for (String entry : first) {
            all.putIfAbsent(addressOf(entry), entry);
        }
        for (String entry : then) {
            all.putIfAbsent(addressOf(entry), entry);
        }
        return List.copyOf(all.values());
    }

    private static String addressOf(String shown) {
        int open = shown.lastIndexOf('<');
        return (open < 0 ? shown : shown.substring(open + 1, shown.length() - 1)).toLowerCase(Locale.ROOT);
    }

    public Mono<List<String>> recent(long accountId) {
        // The folder list is read whole first: a query's connection is held until its rows end, and one held while
        // others are asked for can take the whole pool when many pages do it at once.
        return mailboxes.list(accountId).collectList().flatMapMany(Flux::fromIterable)
                .filter(box -> box.name().equals(Folder.INBOX) || "\\Sent".equals(box.specialUse()))
                .concatMap(box -> mailboxes.newest(accountId, box.id(), Long.MAX_VALUE, LOOKED_AT).collectList()
                        .flatMapMany(rows -> addresses(rows, box.name().equals(Folder.INBOX) ? "from" : "to")))
                .collect(LinkedHashMap<String, String>::new, (found, mailbox) ->
                        found.putIfAbsent(mailbox.address().toLowerCase(Locale.ROOT), shown(mailbox)))
                .map(found -> new ArrayList<>(found.values()).subList(0, Math.min(MAX, found.size())));
    }

    private Flux<HeaderAddresses.Mailbox> addresses(List<MessageMeta> rows, String field) {
        if (rows.isEmpty()) {
            return Flux.empty();
        }
        Map<Long, Integer> lengths = new HashMap<>();
        rows.forEach(row -> lengths.put(row.blobId(), (int) Math.max(1, Math.min(row.size(), HEAD))));
        return blobs.heads(lengths).flatMapMany(heads -> {
            List<HeaderAddresses.Mailbox> found = new ArrayList<>();
            for (MessageMeta row : rows) {
                ByteBuffer head = heads.get(row.blobId());
                if (head == null) {
                    continue;
                }
                String value = Headline.field(new String(Octets.of(head), StandardCharsets.UTF_8), field);
                HeaderAddresses.Mailbox mailbox = HeaderAddresses.first(value);
                if (mailbox != null && mailbox.address().indexOf('@') > 0) {
                    found.add(mailbox);
                }
            }
            return Flux.fromIterable(found);
        });
    }

    private static String shown(HeaderAddresses.Mailbox mailbox) {
        String name = mailbox.displayName() == null ? "" : EncodedWords.decode(mailbox.displayName()).strip();
        if (name.startsWith("\"") && name.endsWith("\"") && name.length() >= 2) {
            name = name.substring(1, name.length() - 1);
        }
        return name.isEmpty() || name.contains("<") || name.contains(",") ? mailbox.address()
                : name + " <" + mailbox.address() + ">";
    }
}
