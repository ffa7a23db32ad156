package dev.hato.contacts.ldif;

import dev.hato.contacts.Names;
import dev.hato.contacts.VCards;
import ezvcard.VCard;
import ezvcard.parameter.TelephoneType;
import ezvcard.property.Email;
import ezvcard.property.Kind;
import ezvcard.property.Member;
import ezvcard.property.StructuredName;
import ezvcard.property.Telephone;
import ezvcard.property.Uid;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Thunderbird's LDIF. A person ({@code mozillaAbPersonAlpha}) has {@code cn}, {@code givenName}, {@code sn},
 * {@code mozillaNickname}, {@code mail}, {@code mozillaSecondEmail}, {@code telephoneNumber}, {@code homePhone},
 * {@code mobile}, {@code o}, {@code title} and {@code description}; a mailing list ({@code groupOfNames}) names its
 * members by their entries' DNs ({@code cn=…,mail=…}), which reading turns into MEMBER UIDs.
 */
public final class LdifContacts {

    private static final Map<String, TelephoneType> PHONES = Map.of("telephonenumber", TelephoneType.WORK,
            "homephone", TelephoneType.HOME, "mobile", TelephoneType.CELL);

    private LdifContacts() { }

    /** The people and lists in {@code text}, each given a new UID. */
    public static List<VCard> read(String text) {
        List<Map<String, List<String>>> entries = LdifEntries.read(text);
        Map<String, String> uidByDn = new HashMap<>();
        List<VCard> cards = new ArrayList<>();
        List<Map<String, List<String>>> lists = new ArrayList<>();
        for (Map<String, List<String>> entry : entries) {
            List<String> classes = entry.getOrDefault("objectclass", List.of());
            if (classes.stream().anyMatch(c -> c.equalsIgnoreCase("groupOfNames"))) {
                lists.add(entry);
            } else if (entry.containsKey("cn") || entry.containsKey("mail")) {
                VCard card = person(entry);
                cards.add(card);
                String dn = one(entry, "dn");
                if (dn != null) {
                    uidByDn.put(normalDn(dn), card.getUid().getValue());
                }
            }
        }
        for (Map<String, List<String>> entry : lists) {
            VCard group = new VCard();
            group.setUid(new Uid(UUID.randomUUID().toString()));
            group.setKind(Kind.group());
            group.setFormattedName(orEmpty(one(entry, "cn")));
            String description = one(entry, "description");
            if (description != null) {
                group.addNote(description);
            }
            for (String member : entry.getOrDefault("member", List.of())) {
                String uid = uidByDn.get(normalDn(member));
                if (uid != null) {
                    group.addMember(new Member(VCards.memberUri(uid)));
                }
            }
            cards.add(group);
        }
        return cards;
    }

    private static VCard person(Map<String, List<String>> entry) {
        VCard card = new VCard();
        card.setUid(new Uid(UUID.randomUUID().toString()));
        StructuredName name = new StructuredName();
        name.setGiven(one(entry, "givenname"));
        name.setFamily(one(entry, "sn"));
        card.setStructuredName(name);
        String cn = one(entry, "cn");
        card.setFormattedName(cn != null ? cn : Names.join(name.getFamily(), name.getGiven()));
        String nickname = one(entry, "mozillanickname");
        if (nickname != null) {
            card.setNickname(nickname);
        }
        for (String attribute : List.of("mail", "mozillasecondemail")) {
            entry.getOrDefault(attribute, List.of()).stream().filter(v -> !v.isBlank()).forEach(card::addEmail);
        }
        PHONES.forEach((attribute, type) -> entry.getOrDefault(attribute, List.of()).stream()
                .filter(v -> !v.isBlank()).forEach(v -> card.addTelephoneNumber(v, type)));
        String org = one(entry, "o");
        if (org != null) {
            card.setOrganization(org);
        }
        String title = one(entry, "title");
        if (title != null) {
            card.addTitle(title);
        }
        String description = one(entry, "description");
        if (description != null) {
            card.addNote(description);
        }
        return card;
    }

    /** {@code cards} as Thunderbird LDIF: people first, then groups as mailing lists. */
    public static String write(List<VCard> cards) {
        StringBuilder out = new StringBuilder();
        Map<String, String> dnByUid = new HashMap<>();
        List<VCard> groups = new ArrayList<>();
        for (VCard card : cards) {
            if (VCards.describe(card).group()) {
                groups.add(card);
                continue;
            }
            String dn = dn(card);
            if (card.getUid() != null && card.getUid().getValue() != null) {
                dnByUid.put(card.getUid().getValue(), dn);
            }
            out.append(LdifEntries.line("dn", dn));
            for (String objectClass : List.of("top", "person", "organizationalPerson", "inetOrgPerson",
                    "mozillaAbPersonAlpha")) {
                out.append(LdifEntries.line("objectclass", objectClass));
            }
            StructuredName name = card.getStructuredName();
            optional(out, "givenName", name == null ? null : name.getGiven());
            optional(out, "sn", name == null ? null : name.getFamily());
            optional(out, "cn", VCards.describe(card).displayName());
            optional(out, "mozillaNickname", card.getNickname() == null || card.getNickname().getValues().isEmpty()
                    ? null : card.getNickname().getValues().get(0));
            List<Email> emails = card.getEmails();
            optional(out, "mail", emails.isEmpty() ? null : emails.get(0).getValue());
            optional(out, "mozillaSecondEmail", emails.size() < 2 ? null : emails.get(1).getValue());
            for (Telephone phone : card.getTelephoneNumbers()) {
                optional(out, phoneAttribute(phone), phone.getText());
            }
            optional(out, "o", card.getOrganization() == null || card.getOrganization().getValues().isEmpty()
                    ? null : card.getOrganization().getValues().get(0));
            optional(out, "title", card.getTitles().isEmpty() ? null : card.getTitles().get(0).getValue());
            optional(out, "description", card.getNotes().isEmpty() ? null : card.getNotes().get(0).getValue());
            out.append("\n");
        }
        for (VCard group : groups) {
            String cn = VCards.describe(group).displayName();
            out.append(LdifEntries.line("dn", "cn=" + cn));
            for (String objectClass : List.of("top", "groupOfNames")) {
                out.append(LdifEntries.line("objectclass", objectClass));
            }
            optional(out, "cn", cn);
            optional(out, "description", group.getNotes().isEmpty() ? null : group.getNotes().get(0).getValue());
            for (String uid : VCards.members(group)) {
                String member = dnByUid.get(uid);
                if (member != null) {
                    out.append(LdifEntries.line("member", member));
                }
            }
            out.append("\n");
        }
        return out.toString();
    }

    private static String phoneAttribute(Telephone phone) {
        if (phone.getTypes().contains(TelephoneType.CELL)) {
            return "mobile";
        }
        return phone.getTypes().contains(TelephoneType.HOME) ? "homePhone" : "telephoneNumber";
    }

    /** Thunderbird's DN of a person: {@code cn=NAME,mail=ADDRESS}, the parts it has. */
    private static String dn(VCard card) {
        String cn = VCards.describe(card).displayName();
        String mail = card.getEmails().isEmpty() ? null : card.getEmails().get(0).getValue();
        List<String> parts = new ArrayList<>();
        if (!cn.isEmpty()) {
            parts.add("cn=" + cn);
        }
        if (mail != null) {
            parts.add("mail=" + mail);
        }
        return String.join(",", parts);
    }

    private static String normalDn(String dn) {
        return dn.strip().toLowerCase(Locale.ROOT);
    }

    private static void optional(StringBuilder out, String name, @Nullable String value) {
        if (value != null && !value.isBlank()) {
            out.append(LdifEntries.line(name, value));
        }
    }

    private static @Nullable String one(Map<String, List<String>> entry, String name) {
        List<String> values = entry.get(name);
        return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
    }

    private static String orEmpty(@Nullable String value) {
        return value == null ? "" : value;
    }
}
