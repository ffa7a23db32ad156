package dev.hato.app;

import dev.hato.contacts.ParsedCard;
import dev.hato.contacts.VCards;
import dev.hato.contacts.csv.CsvContacts;
import dev.hato.contacts.ldif.LdifContacts;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.store.contacts.ContactCard;
import dev.hato.store.contacts.ContactException;
import dev.hato.store.contacts.Precondition;
import dev.hato.store.directory.Account;
import ezvcard.VCard;
import ezvcard.VCardVersion;
import ezvcard.property.Uid;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato contacts import|export}: a person's address book (docs/contacts.md) from and to the files other
 * address books write: vCard 3.0 or 4.0, CSV with Outlook's or Gmail's columns, Thunderbird's LDIF. An imported
 * contact replaces the one of the same UID (vCard files keep their UIDs; CSV and LDIF rows get new ones, so
 * importing one of those twice makes every contact twice).
 */
@Command(name = "contacts", mixinStandardHelpOptions = true,
        description = "Import and export a person's address book (vCard, CSV, LDIF).")
final class ContactsCommand {

    /** The largest file read. */
    static final long MAX_FILE = 64L * 1024 * 1024;
    private static final String FORMATS = "vcard|csv|ldif";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Command(name = "import", description = {"Add the contacts of FILE to the address book of the account "
            + "(auth ID, or address when it has an '@').", "The format is taken from the file's extension (.vcf, "
            + ".csv, .ldif) unless given. Prints how many were added, replaced and refused."})
    int importFile(@Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS") String who,
                   @Parameters(index = "1", paramLabel = "FILE") Path file,
                   @Option(names = "--format", paramLabel = FORMATS) @Nullable String format) throws IOException {
        List<VCard> cards = read(file, format == null ? formatOf(file) : format);
        PrintWriter err = spec.commandLine().getErr();
        Imported imported;
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            imported = importCards(context.store().addressBooks(), account.id(), cards, err::println);
        }
        spec.commandLine().getOut().println(imported.added() + " added, " + imported.replaced() + " replaced, "
                + imported.refused() + " refused");
        return imported.refused() == 0 ? 0 : 1;
    }

    /** How many cards an import added, replaced (same UID) and refused. */
    record Imported(int added, int replaced, int refused) { }

    /** Stores {@code cards} in the account's address book; each refusal goes to {@code refusals} as a line. */
    static Imported importCards(AddressBooks books, long accountId, List<VCard> cards,
                                java.util.function.Consumer<String> refusals) {
        int added = 0;
        int replaced = 0;
        int refused = 0;
        for (VCard card : cards) {
            try {
                if (put(books, accountId, card)) {
                    added++;
                } else {
                    replaced++;
                }
            } catch (ContactException | IllegalArgumentException e) {
                refused++;
                refusals.accept("refused " + VCards.describe(card).displayName() + ": " + e.getMessage());
            }
        }
        return new Imported(added, replaced, refused);
    }

    /** Stores one card under its UID's resource name, replacing the contact of that UID; true when it is new. */
    private static boolean put(AddressBooks books, long accountId, VCard card) {
        if (card.getUid() == null || card.getUid().getValue() == null || card.getUid().getValue().isBlank()) {
            card.setUid(new Uid(UUID.randomUUID().toString()));
        }
        VCardVersion version = card.getVersion() == VCardVersion.V3_0 ? VCardVersion.V3_0 : VCardVersion.V4_0;
        String text = VCards.write(card, version);
        ParsedCard parsed = VCards.describe(card);
        String uid = card.getUid().getValue();
        ContactCard stored = new ContactCard(uid, text, parsed.kind(), parsed.displayName(), parsed.emails());
        String name = resourceName(uid);
        try {
            return books.put(accountId, AddressBooks.DEFAULT, name, stored, Precondition.NONE).block().created();
        } catch (ContactException e) {
            if (e.reason() != ContactException.Reason.UID_CONFLICT || e.conflict() == null) {
                throw e;
            }
            return books.put(accountId, AddressBooks.DEFAULT, e.conflict(), stored, Precondition.NONE).block()
                    .created();
        }
    }

    /** {@code UID.vcf} when the UID is a plain name, else a name derived from it that is. */
    static String resourceName(String uid) {
        String plain = uid.startsWith("urn:uuid:") ? uid.substring(9) : uid;
        return plain.matches("[A-Za-z0-9._@-]{1,200}") ? plain + ".vcf"
                : UUID.nameUUIDFromBytes(uid.getBytes(StandardCharsets.UTF_8)) + ".vcf";
    }

    static List<VCard> read(Path file, String format) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_FILE + 1);
        }
        if (bytes.length > MAX_FILE) {
            throw new IllegalArgumentException(file + " is larger than " + MAX_FILE + " octets");
        }
        switch (format.toLowerCase(Locale.ROOT)) {
            case "vcard":
                return VCards.parseAll(new String(bytes, StandardCharsets.UTF_8));
            case "csv":
                return CsvContacts.read(bytes);
            case "ldif":
                return LdifContacts.read(new String(bytes, StandardCharsets.UTF_8));
            default:
                throw new IllegalArgumentException("unknown format " + format + "; use one of " + FORMATS);
        }
    }

    static String formatOf(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return "csv";
        }
        return name.endsWith(".ldif") || name.endsWith(".ldi") ? "ldif" : "vcard";
    }

    @Command(name = "export", description = {"Print the address book of the account (auth ID, or address when it "
            + "has an '@') to standard output.", "vCard is written as 3.0 unless --vcard-version 4.0; CSV with "
            + "Google's columns (Outlook and Gmail import it), without groups; LDIF as Thunderbird writes it."})
    int export(@Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS") String who,
               @Option(names = "--format", paramLabel = FORMATS, defaultValue = "vcard") String format,
               @Option(names = "--vcard-version", paramLabel = "3.0|4.0", defaultValue = "3.0") String version) {
        VCardVersion vcardVersion = VCards.version(version);
        if (vcardVersion == null) {
            throw new IllegalArgumentException("--vcard-version is 3.0 or 4.0");
        }
        List<VCard> cards = new ArrayList<>();
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            List<Contact> contacts = context.store().addressBooks().contacts(account.id(), AddressBooks.DEFAULT)
                    .collectList().block();
            for (Contact contact : contacts) {
                cards.add(VCards.parseOne(contact.vcard()).card());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        switch (format.toLowerCase(Locale.ROOT)) {
            case "vcard":
                out.print(VCards.writeAll(cards, vcardVersion));
                break;
            case "csv":
                out.print(CsvContacts.write(cards));
                break;
            case "ldif":
                out.print(LdifContacts.write(cards));
                break;
            default:
                throw new IllegalArgumentException("unknown format " + format + "; use one of " + FORMATS);
        }
        out.flush();
        return 0;
    }
}
