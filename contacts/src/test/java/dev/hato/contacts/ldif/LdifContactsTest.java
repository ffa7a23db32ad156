package dev.hato.contacts.ldif;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.contacts.VCards;
import ezvcard.VCard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Thunderbird's LDIF export read (base64 Japanese values, folded lines, a mailing list) and written back. */
class LdifContactsTest {

    private static String sample() throws IOException {
        try (InputStream in = LdifContactsTest.class.getResourceAsStream("/samples/thunderbird.ldif")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void peopleAndAMailingListShouldBecomeContactsAndAGroup() throws IOException {
        List<VCard> cards = LdifContacts.read(sample());
        assertThat(cards).extracting(card -> VCards.describe(card).displayName())
                .containsExactly("山口 春子", "Carol Danvers", "研究会");
        assertThat(VCards.describe(cards.get(0)).emails()).containsExactly("haruko@example.jp", "haruko@home.example");
        assertThat(cards.get(1).getNotes().get(0).getValue())
                .isEqualTo("a long note that Thunderbird folded over two lines");
        VCard group = cards.get(2);
        assertThat(VCards.describe(group).group()).isTrue();
        assertThat(VCards.members(group)).containsExactly(cards.get(1).getUid().getValue(),
                cards.get(0).getUid().getValue());
    }

    @Test
    void writtenLdifShouldReadBackWithTheGroupsMembers() throws IOException {
        String written = LdifContacts.write(LdifContacts.read(sample()));
        assertThat(written).contains("objectclass: mozillaAbPersonAlpha", "objectclass: groupOfNames",
                "mail: carol@example.org", "cn:: ");
        List<VCard> again = LdifContacts.read(written);
        assertThat(again).hasSize(3);
        assertThat(VCards.members(again.get(2))).hasSize(2);
    }
}
