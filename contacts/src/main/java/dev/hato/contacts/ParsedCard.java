package dev.hato.contacts;

import ezvcard.VCard;
import ezvcard.VCardVersion;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One vCard read from text, with what the store indexes: its UID (null when the card has none), kind
 * ({@code individual}, {@code group}, …), display name and addresses.
 */
public record ParsedCard(VCard card, VCardVersion version, @Nullable String uid, String kind, String displayName,
                         List<String> emails) {

    public ParsedCard {
        emails = List.copyOf(emails);
    }

    public boolean group() {
        return "group".equals(kind);
    }
}
