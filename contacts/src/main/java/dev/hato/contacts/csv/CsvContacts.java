package dev.hato.contacts.csv;

import dev.hato.contacts.Names;
import ezvcard.VCard;
import ezvcard.parameter.EmailType;
import ezvcard.parameter.TelephoneType;
import ezvcard.property.Categories;
import ezvcard.property.Email;
import ezvcard.property.Organization;
import ezvcard.property.RawProperty;
import ezvcard.property.StructuredName;
import ezvcard.property.Telephone;
import ezvcard.property.Uid;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Contacts from and to CSV. Reading finds columns by header name, case ignored: Outlook's ({@code First Name},
 * {@code Last Name}, {@code E-mail Address}, {@code E-mail 2 Address}, {@code Mobile Phone}, {@code Company},
 * {@code Job Title}, {@code Given Yomi}, …), Google's current ones ({@code E-mail 1 - Value},
 * {@code Phone 1 - Label}, {@code Organization Name}, {@code Phonetic Last Name}, {@code Labels}, …) and its older
 * ones ({@code Given Name}, {@code Family Name}, {@code E-mail 1 - Type}, {@code Group Membership}, …). Writing uses
 * Google's current columns and a {@code Name} column for the display name. A file that is not UTF-8 is read as
 * Windows-31J (Shift_JIS), which a Japanese Outlook writes. Phonetic names become Apple's
 * {@code X-PHONETIC-FIRST-NAME} and {@code X-PHONETIC-LAST-NAME}, labels become CATEGORIES.
 */
public final class CsvContacts {

    static final String PHONETIC_GIVEN = "X-PHONETIC-FIRST-NAME";
    static final String PHONETIC_FAMILY = "X-PHONETIC-LAST-NAME";
    private static final int MAX_EMAILS = 3;
    private static final int MAX_PHONES = 3;
    private static final Pattern GOOGLE_SLOT = Pattern.compile("(e-mail|phone) (\\d+) - (value|type|label)");
    private static final Pattern OUTLOOK_EMAIL = Pattern.compile("e-mail( \\d+)? address");
    private static final Pattern OUTLOOK_PHONE = Pattern.compile("(business|home|mobile|other|primary|car|company main"
            + "|assistant's|radio) phone( \\d+)?|(business|home|other) fax|pager");
    private static final List<String> HEADER = header();

    private CsvContacts() { }

    /** The contacts of a CSV file's bytes, each given a new UID. */
    public static List<VCard> read(byte[] bytes) {
        List<List<String>> rows = CsvTable.read(decode(bytes));
        if (rows.isEmpty()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        rows.get(0).forEach(name -> names.add(name.strip().toLowerCase(Locale.ROOT)));
        List<VCard> cards = new ArrayList<>();
        for (List<String> row : rows.subList(1, rows.size())) {
            Map<String, String> fields = new HashMap<>();
            for (int i = 0; i < names.size() && i < row.size(); i++) {
                if (!row.get(i).isBlank()) {
                    fields.put(names.get(i), row.get(i).strip());
                }
            }
            if (!fields.isEmpty()) {
                cards.add(card(names, fields));
            }
        }
        return cards;
    }

    private static String decode(byte[] bytes) {
        int start = bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
                && (bytes[2] & 0xff) == 0xbf ? 3 : 0;
        ByteBuffer content = ByteBuffer.wrap(bytes, start, bytes.length - start);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(content).toString();
        } catch (CharacterCodingException notUtf8) {
            return new String(bytes, Charset.forName("windows-31j"));
        }
    }

    private static VCard card(List<String> names, Map<String, String> fields) {
        VCard card = new VCard();
        card.setUid(new Uid(UUID.randomUUID().toString()));
        StructuredName name = new StructuredName();
        name.setGiven(first(fields, "first name", "given name"));
        name.setFamily(first(fields, "last name", "family name"));
        String middle = first(fields, "middle name", "additional name");
        if (middle != null) {
            name.getAdditionalNames().add(middle);
        }
        card.setStructuredName(name);
        String display = first(fields, "name", "display name", "e-mail display name");
        String joined = Names.join(name.getFamily(), name.getGiven());
        card.setFormattedName(display != null ? display : joined);
        raw(card, PHONETIC_GIVEN, first(fields, "phonetic first name", "given name yomi", "given yomi"));
        raw(card, PHONETIC_FAMILY, first(fields, "phonetic last name", "family name yomi", "surname yomi"));
        String nickname = first(fields, "nickname");
        if (nickname != null) {
            card.setNickname(nickname);
        }
        String company = first(fields, "company", "organization name", "organization 1 - name");
        if (company != null) {
            card.setOrganization(company);
        }
        String title = first(fields, "job title", "organization title", "organization 1 - title");
        if (title != null) {
            card.addTitle(title);
        }
        String notes = first(fields, "notes");
        if (notes != null) {
            card.addNote(notes);
        }
        addressesAndPhones(card, names, fields);
        String labels = first(fields, "labels", "group membership");
        if (labels != null) {
            Categories categories = new Categories();
            for (String label : labels.split(" ::: ")) {
                String clean = label.strip();
                if (!clean.isEmpty() && !clean.startsWith("* ")) {
                    categories.getValues().add(clean);
                }
            }
            if (!categories.getValues().isEmpty()) {
                card.addCategories(categories);
            }
        }
        if (card.getFormattedName().getValue().isEmpty() && !card.getEmails().isEmpty()) {
            card.setFormattedName(card.getEmails().get(0).getValue());
        }
        return card;
    }

    private static void addressesAndPhones(VCard card, List<String> names, Map<String, String> fields) {
        for (String column : names) {
            String value = fields.get(column);
            if (value == null) {
                continue;
            }
            Matcher google = GOOGLE_SLOT.matcher(column);
            if (google.matches() && google.group(3).equals("value")) {
                String type = first(fields, google.group(1) + " " + google.group(2) + " - label",
                        google.group(1) + " " + google.group(2) + " - type");
                // Google writes several values of one slot as "a ::: b".
                for (String one : value.split(" ::: ")) {
                    if (google.group(1).equals("e-mail")) {
                        email(card, one, type);
                    } else {
                        phone(card, one, type);
                    }
                }
            } else if (OUTLOOK_EMAIL.matcher(column).matches()) {
                email(card, value, null);
            } else if (OUTLOOK_PHONE.matcher(column).matches()) {
                phone(card, value, column);
            }
        }
    }

    private static void email(VCard card, String value, @Nullable String type) {
        if (value.isBlank()) {
            return;
        }
        Email email = new Email(value.strip());
        EmailType kind = emailType(type);
        if (kind != null) {
            email.getTypes().add(kind);
        }
        card.addEmail(email);
    }

    private static @Nullable EmailType emailType(@Nullable String type) {
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (t.contains("work")) {
            return EmailType.WORK;
        }
        return t.contains("home") ? EmailType.HOME : null;
    }

    private static void phone(VCard card, String value, @Nullable String type) {
        if (value.isBlank()) {
            return;
        }
        Telephone phone = new Telephone(value.strip());
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (t.contains("mobile") || t.contains("cell")) {
            phone.getTypes().add(TelephoneType.CELL);
        } else if (t.contains("business") || t.contains("work")) {
            phone.getTypes().add(TelephoneType.WORK);
        } else if (t.contains("home")) {
            phone.getTypes().add(TelephoneType.HOME);
        }
        if (t.contains("fax")) {
            phone.getTypes().add(TelephoneType.FAX);
        }
        card.addTelephoneNumber(phone);
    }

    private static void raw(VCard card, String name, @Nullable String value) {
        if (value != null) {
            card.addExtendedProperty(name, value);
        }
    }

    private static @Nullable String first(Map<String, String> fields, String... names) {
        for (String name : names) {
            String value = fields.get(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** {@code cards} in Google's CSV columns, UTF-8 text with a header line; groups are left out. */
    public static String write(List<VCard> cards) {
        StringBuilder out = new StringBuilder(CsvTable.line(HEADER));
        for (VCard card : cards) {
            if (card.getKind() != null && card.getKind().isGroup()
                    || card.getExtendedProperty("X-ADDRESSBOOKSERVER-KIND") != null) {
                continue;
            }
            out.append(CsvTable.line(row(card)));
        }
        return out.toString();
    }

    private static List<String> header() {
        List<String> header = new ArrayList<>(List.of("Name", "First Name", "Middle Name", "Last Name",
                "Phonetic First Name", "Phonetic Last Name", "Nickname", "Organization Name", "Organization Title",
                "Notes", "Labels"));
        for (int i = 1; i <= MAX_EMAILS; i++) {
            header.add("E-mail " + i + " - Label");
            header.add("E-mail " + i + " - Value");
        }
        for (int i = 1; i <= MAX_PHONES; i++) {
            header.add("Phone " + i + " - Label");
            header.add("Phone " + i + " - Value");
        }
        return List.copyOf(header);
    }

    private static List<String> row(VCard card) {
        StructuredName name = card.getStructuredName();
        List<String> row = new ArrayList<>();
        row.add(card.getFormattedName() == null ? "" : text(card.getFormattedName().getValue()));
        row.add(name == null ? "" : text(name.getGiven()));
        row.add(name == null ? "" : String.join(" ", name.getAdditionalNames()));
        row.add(name == null ? "" : text(name.getFamily()));
        row.add(rawValue(card, PHONETIC_GIVEN));
        row.add(rawValue(card, PHONETIC_FAMILY));
        row.add(card.getNickname() == null ? "" : String.join(" ::: ", card.getNickname().getValues()));
        Organization org = card.getOrganization();
        row.add(org == null || org.getValues().isEmpty() ? "" : org.getValues().get(0));
        row.add(card.getTitles().isEmpty() ? "" : text(card.getTitles().get(0).getValue()));
        row.add(card.getNotes().isEmpty() ? "" : text(card.getNotes().get(0).getValue()));
        List<String> labels = new ArrayList<>();
        card.getCategoriesList().forEach(categories -> labels.addAll(categories.getValues()));
        row.add(String.join(" ::: ", labels));
        for (int i = 0; i < MAX_EMAILS; i++) {
            Email email = i < card.getEmails().size() ? card.getEmails().get(i) : null;
            row.add(email == null ? "" : label(email.getTypes().isEmpty() ? null
                    : email.getTypes().get(0).getValue()));
            row.add(email == null ? "" : text(email.getValue()));
        }
        for (int i = 0; i < MAX_PHONES; i++) {
            Telephone phone = i < card.getTelephoneNumbers().size() ? card.getTelephoneNumbers().get(i) : null;
            row.add(phone == null ? "" : label(phone.getTypes().isEmpty() ? null
                    : phone.getTypes().get(0).getValue()));
            row.add(phone == null ? "" : text(phone.getText() != null ? phone.getText()
                    : phone.getUri() == null ? null : phone.getUri().getNumber()));
        }
        return row;
    }

    /** Google's label for a vCard TYPE: Work, Home, Mobile, or none. */
    private static String label(@Nullable String type) {
        String t = type == null ? "" : type.toLowerCase(Locale.ROOT);
        if (t.equals("cell")) {
            return "Mobile";
        }
        return t.equals("work") ? "Work" : t.equals("home") ? "Home" : "";
    }

    private static String rawValue(VCard card, String name) {
        RawProperty property = card.getExtendedProperty(name);
        return property == null ? "" : text(property.getValue());
    }

    private static String text(@Nullable String value) {
        return value == null ? "" : value;
    }
}
