package dev.hato.contacts;

import dev.hato.contacts.csv.CsvContacts;
import dev.hato.contacts.ldif.LdifContacts;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.store.contacts.ContactCard;
import dev.hato.store.contacts.ContactException;
import dev.hato.store.contacts.Precondition;
import ezvcard.VCard;
import ezvcard.VCardVersion;
import ezvcard.property.Uid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Consumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A person's address book to and from the files other programs write: vCard, CSV with Outlook's or Gmail's columns,
 * and Thunderbird's LDIF. Shared by {@code hato contacts}, {@code hato settings import} and the webmail's address
 * book page, so a file imported anywhere becomes the same contacts.
 */
public final class AddressBookFiles {

    /** The formats, as their names are given. */
    public static final List<String> FORMATS = List.of("vcard", "csv", "ldif");

    private AddressBookFiles() { }

    /** How many cards an import added, replaced (same UID) and refused. */
    public record Imported(int added, int replaced, int refused) { }

    /** The format a file's name says: .csv, .ldif or .ldi, else vCard. */
    public static String formatOf(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "csv";
        }
        return name.endsWith(".ldif") || name.endsWith(".ldi") ? "ldif" : "vcard";
    }

    /** The cards of a file in {@code format}. */
    public static List<VCard> read(byte[] octets, String format) {
        switch (format.toLowerCase(Locale.ROOT)) {
            case "vcard":
                return VCards.parseAll(new String(octets, StandardCharsets.UTF_8));
            case "csv":
                return CsvContacts.read(octets);
            case "ldif":
                return LdifContacts.read(new String(octets, StandardCharsets.UTF_8));
            default:
                throw new IllegalArgumentException("unknown format " + format + "; use one of "
                        + String.join("|", FORMATS));
        }
    }

    /**
     * Stores {@code cards} in the person's default book, one after the other; a card whose UID is in the book
     * replaces that contact. Each refusal goes to {@code refusals} as a line.
     */
    public static Mono<Imported> store(AddressBooks books, long accountId, List<VCard> cards,
                                       Consumer<String> refusals) {
        int[] counts = new int[3];
        return Flux.fromIterable(cards)
                .concatMap(card -> put(books, accountId, card)
                        .doOnNext(created -> counts[created ? 0 : 1]++)
                        .onErrorResume(e -> e instanceof ContactException || e instanceof IllegalArgumentException,
                                e -> {
                                    counts[2]++;
                                    refusals.accept("refused " + VCards.describe(card).displayName() + ": "
                                            + e.getMessage());
                                    return Mono.empty();
                                }))
                .then(Mono.fromSupplier(() -> new Imported(counts[0], counts[1], counts[2])));
    }

    /** The contacts written in {@code format} (vCard in {@code version}; CSV with Google's columns, no groups). */
    public static String write(List<Contact> contacts, String format, VCardVersion version) {
        List<VCard> cards = new ArrayList<>();
        for (Contact contact : contacts) {
            cards.add(VCards.parseOne(contact.vcard()).card());
        }
        switch (format.toLowerCase(Locale.ROOT)) {
            case "vcard":
                return VCards.writeAll(cards, version);
            case "csv":
                return CsvContacts.write(cards);
            case "ldif":
                return LdifContacts.write(cards);
            default:
                throw new IllegalArgumentException("unknown format " + format + "; use one of "
                        + String.join("|", FORMATS));
        }
    }

    /** {@code UID.vcf} when the UID is a plain name, else a name derived from it that is. */
    public static String resourceName(String uid) {
        String plain = uid.startsWith("urn:uuid:") ? uid.substring(9) : uid;
        return plain.matches("[A-Za-z0-9._@-]{1,200}") ? plain + ".vcf"
                : UUID.nameUUIDFromBytes(uid.getBytes(StandardCharsets.UTF_8)) + ".vcf";
    }

    /** Stores one card under its UID's resource name, replacing the contact of that UID; true when it is new. */
    public static Mono<Boolean> put(AddressBooks books, long accountId, VCard card) {
        return Mono.defer(() -> {
            if (card.getUid() == null || card.getUid().getValue() == null || card.getUid().getValue().isBlank()) {
                card.setUid(new Uid(UUID.randomUUID().toString()));
            }
            VCardVersion version = card.getVersion() == VCardVersion.V3_0 ? VCardVersion.V3_0 : VCardVersion.V4_0;
            String text = VCards.write(card, version);
            ParsedCard parsed = VCards.describe(card);
            String uid = card.getUid().getValue();
            ContactCard stored = new ContactCard(uid, text, parsed.kind(), parsed.displayName(), parsed.emails());
            return books.put(accountId, AddressBooks.DEFAULT, resourceName(uid), stored, Precondition.NONE)
                    .map(AddressBooks.Stored::created)
                    .onErrorResume(ContactException.class, e -> e.reason() == ContactException.Reason.UID_CONFLICT
                            && e.conflict() != null
                            ? books.put(accountId, AddressBooks.DEFAULT, e.conflict(), stored, Precondition.NONE)
                                    .map(AddressBooks.Stored::created)
                            : Mono.error(e));
        });
    }
}
