package dev.hato.contacts;

import ezvcard.Ezvcard;
import ezvcard.VCard;
import ezvcard.VCardVersion;
import ezvcard.property.Email;
import ezvcard.property.Kind;
import ezvcard.property.Member;
import ezvcard.property.RawProperty;
import ezvcard.io.scribe.ScribeIndex;
import ezvcard.property.StructuredName;
import ezvcard.property.VCardProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Reading, checking and writing vCards 3.0 (RFC 2426) and 4.0 (RFC 6350). Reading is ez-vcard's lenient parser,
 * linear in the text; what it is given is bounded by the caller (the store's limit on a vCard's size).
 */
public final class VCards {

    /** Apple's vCard 3 spelling of KIND and MEMBER, which vCard 3 CardDAV clients use for groups. */
    static final String APPLE_KIND = "X-ADDRESSBOOKSERVER-KIND";
    static final String APPLE_MEMBER = "X-ADDRESSBOOKSERVER-MEMBER";

    private VCards() { }

    /** Every vCard in {@code text} (an export holds many); none when there is none. */
    public static List<VCard> parseAll(String text) {
        return Ezvcard.parse(text).all();
    }

    /**
     * The one vCard in {@code text}, as a CardDAV resource must hold (RFC 6352 §5.1).
     *
     * @throws InvalidCardException when the text holds no vCard or more than one, or one of a version other than
     *     3.0 or 4.0
     */
    public static ParsedCard parseOne(String text) {
        if (!text.stripLeading().regionMatches(true, 0, "BEGIN:VCARD", 0, 11)) {
            throw new InvalidCardException("the text does not start with BEGIN:VCARD");
        }
        List<VCard> cards = parseAll(text);
        if (cards.size() != 1) {
            throw new InvalidCardException("a resource holds exactly one vCard; this text has " + cards.size());
        }
        VCard card = cards.get(0);
        VCardVersion version = card.getVersion();
        if (version != VCardVersion.V3_0 && version != VCardVersion.V4_0) {
            throw new InvalidCardException("only vCard 3.0 and 4.0 are kept; this one is " + version.getVersion());
        }
        return describe(card);
    }

    /** What the store indexes of a card. */
    public static ParsedCard describe(VCard card) {
        String uid = card.getUid() == null || card.getUid().getValue() == null ? null : card.getUid().getValue();
        List<String> emails = card.getEmails().stream().map(Email::getValue)
                .filter(value -> value != null && !value.isBlank()).map(String::strip).collect(Collectors.toList());
        return new ParsedCard(card, card.getVersion() == null ? VCardVersion.V4_0 : card.getVersion(), uid,
                kind(card), displayName(card, emails), emails);
    }

    private static String kind(VCard card) {
        Kind kind = card.getKind();
        if (kind != null && kind.getValue() != null) {
            return kind.getValue().toLowerCase(Locale.ROOT);
        }
        RawProperty apple = card.getExtendedProperty(APPLE_KIND);
        return apple != null && apple.getValue() != null ? apple.getValue().strip().toLowerCase(Locale.ROOT)
                : "individual";
    }

    /** FN; else the structured name; else the first address; else nothing. */
    private static String displayName(VCard card, List<String> emails) {
        if (card.getFormattedName() != null && card.getFormattedName().getValue() != null
                && !card.getFormattedName().getValue().isBlank()) {
            return card.getFormattedName().getValue().strip();
        }
        StructuredName name = card.getStructuredName();
        if (name != null) {
            String joined = Names.join(name.getFamily(), name.getGiven());
            if (!joined.isEmpty()) {
                return joined;
            }
        }
        return emails.isEmpty() ? "" : emails.get(0);
    }

    /** The UIDs a group's members are named by: {@code urn:uuid:} stripped, as members' UIDs are compared. */
    public static List<String> members(VCard card) {
        Stream<String> members = Stream.concat(card.getMembers().stream().map(Member::getUri),
                card.getExtendedProperties(APPLE_MEMBER).stream().map(RawProperty::getValue));
        return members.filter(uri -> uri != null && !uri.isBlank()).map(VCards::memberUid)
                .collect(Collectors.toList());
    }

    private static String memberUid(String uri) {
        String value = uri.strip();
        return value.regionMatches(true, 0, "urn:uuid:", 0, 9) ? value.substring(9) : value;
    }

    /** The URI a group names a member by. */
    public static String memberUri(String uid) {
        return uid.contains(":") ? uid : "urn:uuid:" + uid;
    }

    /**
     * {@code card} as text of {@code version}. A group keeps its members across versions: KIND and MEMBER become
     * Apple's X- properties in 3.0, and those become KIND and MEMBER again in 4.0.
     */
    public static String write(VCard card, VCardVersion version) {
        VCard copy = new VCard(card);
        boolean group = "group".equals(kind(copy));
        List<String> members = members(copy);
        copy.removeExtendedProperty(APPLE_KIND);
        copy.removeExtendedProperty(APPLE_MEMBER);
        copy.getMembers().clear();
        copy.setKind(null);
        if (group && version == VCardVersion.V4_0) {
            copy.setKind(Kind.group());
            members.forEach(uid -> copy.addMember(new Member(memberUri(uid))));
        } else if (group) {
            copy.addExtendedProperty(APPLE_KIND, "group");
            members.forEach(uid -> copy.addExtendedProperty(APPLE_MEMBER, memberUri(uid)));
        } else if (card.getKind() != null && version == VCardVersion.V4_0) {
            copy.setKind(card.getKind());
        }
        return Ezvcard.write(copy).version(version).prodId(false).go();
    }

    /** {@code text} (one vCard) in {@code version}: the text itself when it is in that version already. */
    public static String convert(String text, VCardVersion version) {
        ParsedCard parsed = parseOne(text);
        return parsed.version() == version ? text : write(parsed.card(), version);
    }

    /** A version named as RFC 6352's address-data and the text/vcard media type name it ("3.0", "4.0"). */
    public static @Nullable VCardVersion version(@Nullable String name) {
        if ("3.0".equals(name)) {
            return VCardVersion.V3_0;
        }
        return "4.0".equals(name) ? VCardVersion.V4_0 : null;
    }

    /**
     * {@code card} with only the properties named in {@code names} (upper case), as RFC 6352 §10.4.2's
     * {@code CARDDAV:prop} asks; VERSION is always written.
     */
    public static VCard only(VCard card, Set<String> names) {
        ScribeIndex scribes = new ScribeIndex();
        VCard copy = new VCard(card.getVersion());
        for (VCardProperty property : card.getProperties()) {
            String name = property instanceof RawProperty ? ((RawProperty) property).getPropertyName()
                    : scribes.getPropertyScribe(property).getPropertyName();
            if (names.contains(name.toUpperCase(Locale.ROOT))) {
                copy.addProperty(property);
            }
        }
        return copy;
    }

    /** Text of all {@code cards} in {@code version}, one after the other (an export). */
    public static String writeAll(List<VCard> cards, VCardVersion version) {
        List<String> texts = new ArrayList<>();
        cards.forEach(card -> texts.add(write(card, version)));
        return String.join("", texts);
    }
}
