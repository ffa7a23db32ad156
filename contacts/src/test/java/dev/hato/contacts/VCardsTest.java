package dev.hato.contacts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ezvcard.VCardVersion;
import org.junit.jupiter.api.Test;

/** Checking uploads, extracting what the store indexes, and groups across vCard 3.0 and 4.0. */
class VCardsTest {

    private static final String GROUP_4 = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:g1\r\nKIND:group\r\nFN:研究会\r\n"
            + "MEMBER:urn:uuid:a1\r\nMEMBER:urn:uuid:b2\r\nEND:VCARD\r\n";

    @Test
    void oneCardShouldBeDescribedByUidKindNameAndAddresses() {
        ParsedCard card = VCards.parseOne("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:u1\r\nN:山田;太郎;;;\r\n"
                + "EMAIL;TYPE=INTERNET:taro@example.jp\r\nEND:VCARD\r\n");
        assertThat(card.uid()).isEqualTo("u1");
        assertThat(card.kind()).isEqualTo("individual");
        assertThat(card.displayName()).isEqualTo("山田 太郎");
        assertThat(card.emails()).containsExactly("taro@example.jp");
        assertThat(card.version()).isEqualTo(VCardVersion.V3_0);
    }

    @Test
    void textThatIsNotExactlyOneCardOfVersion3Or4ShouldBeRefused() {
        String one = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:A\r\nEND:VCARD\r\n";
        assertThatThrownBy(() -> VCards.parseOne(one + one)).isInstanceOf(InvalidCardException.class);
        assertThatThrownBy(() -> VCards.parseOne("hello")).isInstanceOf(InvalidCardException.class);
        assertThatThrownBy(() -> VCards.parseOne("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:A\r\nEND:VCARD\r\n"))
                .isInstanceOf(InvalidCardException.class);
    }

    @Test
    void aGroupShouldKeepItsMembersInVersion3AndBackIn4() {
        String v3 = VCards.convert(GROUP_4, VCardVersion.V3_0);
        assertThat(v3).contains("VERSION:3.0", "X-ADDRESSBOOKSERVER-KIND:group",
                "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:a1").doesNotContain("KIND:group\r\nMEMBER");
        ParsedCard back = VCards.parseOne(VCards.convert(v3, VCardVersion.V4_0));
        assertThat(back.group()).isTrue();
        assertThat(VCards.members(back.card())).containsExactly("a1", "b2");
        assertThat(back.card().getExtendedProperty("X-ADDRESSBOOKSERVER-KIND")).isNull();
        assertThat(VCards.parseOne(v3).group()).isTrue();
        // The text in the version asked for is served as uploaded.
        assertThat(VCards.convert(GROUP_4, VCardVersion.V4_0)).isSameAs(GROUP_4);
    }
}
