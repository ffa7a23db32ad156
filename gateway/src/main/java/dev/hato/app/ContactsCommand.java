package dev.hato.app;

import dev.hato.contacts.AddressBookFiles;
import dev.hato.contacts.VCards;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.store.directory.Account;
import ezvcard.VCard;
import ezvcard.VCardVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        List<VCard> cards = read(file, format == null ? AddressBookFiles.formatOf(file.getFileName().toString())
                : format);
        PrintWriter err = spec.commandLine().getErr();
        AddressBookFiles.Imported imported;
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            imported = AddressBookFiles.store(context.store().addressBooks(), account.id(), cards, err::println)
                    .block();
        }
        spec.commandLine().getOut().println(imported.added() + " added, " + imported.replaced() + " replaced, "
                + imported.refused() + " refused");
        return imported.refused() == 0 ? 0 : 1;
    }

    /** The cards of {@code file}, at most {@link #MAX_FILE} octets, in {@code format}. */
    static List<VCard> read(Path file, String format) throws IOException {
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) MAX_FILE + 1);
        }
        if (bytes.length > MAX_FILE) {
            throw new IllegalArgumentException(file + " is larger than " + MAX_FILE + " octets");
        }
        return AddressBookFiles.read(bytes, format);
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
        List<Contact> contacts;
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            contacts = context.store().addressBooks().contacts(account.id(), AddressBooks.DEFAULT).collectList()
                    .block();
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(AddressBookFiles.write(contacts, format, vcardVersion));
        out.flush();
        return 0;
    }
}
