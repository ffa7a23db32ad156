package dev.hato.web.contacts;

import dev.hato.contacts.ParsedCard;
import dev.hato.contacts.VCards;
import ezvcard.VCard;
import ezvcard.VCardVersion;
import ezvcard.property.Email;
import ezvcard.property.Kind;
import ezvcard.property.Member;
import ezvcard.property.Note;
import ezvcard.property.Organization;
import ezvcard.property.Telephone;
import ezvcard.property.Uid;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * What the contact form shows and posts: a name, addresses, a telephone, an organization and a note for a person;
 * a name and members for a group. Applied to the stored card, so what the form does not show (photos, birthdays,
 * what another program wrote) is kept.
 */
record ContactForm(String displayName, List<String> emails, String phone, String organization, String note,
                   List<String> members) {

    static final int MAX_EMAILS = 20;
    static final int MAX_TEXT = 2000;

    ContactForm {
        emails = List.copyOf(emails);
        members = List.copyOf(members);
        if (displayName.isBlank() || displayName.length() > MAX_TEXT || phone.length() > MAX_TEXT
                || organization.length() > MAX_TEXT || note.length() > MAX_TEXT) {
            throw new IllegalArgumentException("a contact has a name, and no field over " + MAX_TEXT
                    + " characters");
        }
        if (emails.size() > MAX_EMAILS) {
            throw new IllegalArgumentException("at most " + MAX_EMAILS + " addresses");
        }
        for (String email : emails) {
            int at = email.lastIndexOf('@');
            if (at <= 0 || at == email.length() - 1 || email.chars().anyMatch(c -> c <= ' ' || c == '<' || c == '>')) {
                throw new IllegalArgumentException("not an address: " + email);
            }
        }
    }

    /** The form's view of a stored card. */
    static ContactForm of(ParsedCard parsed) {
        VCard card = parsed.card();
        String phone = card.getTelephoneNumbers().isEmpty() ? "" : text(card.getTelephoneNumbers().get(0).getText());
        String organization = card.getOrganization() == null ? ""
                : String.join(" ", card.getOrganization().getValues());
        String note = card.getNotes().isEmpty() ? "" : text(card.getNotes().get(0).getValue());
        return new ContactForm(parsed.displayName().isBlank() ? "?" : parsed.displayName(), parsed.emails(), phone,
                organization, note, VCards.members(card));
    }

    /** {@code existing} (or a new vCard 4.0 card) with this form's fields, as a person or, when {@code group}, a group. */
    VCard applyTo(@Nullable VCard existing, boolean group) {
        VCard card = existing == null ? new VCard(VCardVersion.V4_0) : new VCard(existing);
        if (card.getUid() == null || card.getUid().getValue() == null || card.getUid().getValue().isBlank()) {
            card.setUid(new Uid(UUID.randomUUID().toString()));
        }
        card.setFormattedName(displayName.strip());
        if (group) {
            card.setKind(Kind.group());
            card.getMembers().clear();
            card.removeExtendedProperty("X-ADDRESSBOOKSERVER-MEMBER");
            members.forEach(uid -> card.addMember(new Member(VCards.memberUri(uid))));
            return card;
        }
        card.getEmails().clear();
        emails.forEach(email -> card.addEmail(new Email(email)));
        List<Telephone> phones = new ArrayList<>(card.getTelephoneNumbers());
        if (!phones.isEmpty()) {
            card.removeProperty(phones.get(0));
        }
        if (!phone.isBlank()) {
            card.addTelephoneNumber(new Telephone(phone.strip()));
        }
        if (organization.isBlank()) {
            card.setOrganization((Organization) null);
        } else {
            card.setOrganization(organization.strip());
        }
        List<Note> notes = new ArrayList<>(card.getNotes());
        if (!notes.isEmpty()) {
            card.removeProperty(notes.get(0));
        }
        if (!note.isBlank()) {
            card.addNote(note.strip());
        }
        return card;
    }

    private static String text(@Nullable String value) {
        return value == null ? "" : value;
    }
}
