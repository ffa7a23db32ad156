package dev.hato.contacts.csv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.contacts.VCards;
import ezvcard.VCard;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Outlook's and Gmail's CSV exports read, Japanese names included, and Google's columns written and read back. */
class CsvContactsTest {

    static byte[] sample(String name) throws IOException {
        try (InputStream in = CsvContactsTest.class.getResourceAsStream("/samples/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void outlooksColumnsShouldGiveNamesAddressesPhonesAndMultiLineNotes() throws IOException {
        List<VCard> cards = CsvContacts.read(sample("outlook.csv"));
        assertThat(cards).hasSize(2);
        VCard taro = cards.get(0);
        assertThat(taro.getFormattedName().getValue()).isEqualTo("山田 太郎");
        assertThat(VCards.describe(taro).emails()).containsExactly("taro.yamada@example.jp", "taro@home.example");
        assertThat(taro.getTelephoneNumbers()).hasSize(2);
        assertThat(taro.getOrganization().getValues()).containsExactly("例株式会社");
        assertThat(taro.getNotes().get(0).getValue()).isEqualTo("メモ, カンマ入り");
        assertThat(taro.getExtendedProperty(CsvContacts.PHONETIC_FAMILY).getValue()).isEqualTo("やまだ");
        assertThat(cards.get(1).getFormattedName().getValue()).isEqualTo("Alice Smith");
        assertThat(cards.get(1).getNotes().get(0).getValue()).isEqualTo("line one\r\nline two");
    }

    @Test
    void aJapaneseOutlookFileInShiftJisShouldReadAsItsUtf8Twin() throws IOException {
        String text = new String(sample("outlook.csv"), StandardCharsets.UTF_8);
        List<VCard> cards = CsvContacts.read(text.getBytes(Charset.forName("windows-31j")));
        assertThat(cards.get(0).getFormattedName().getValue()).isEqualTo("山田 太郎");
    }

    @Test
    void gmailsOldAndNewColumnsShouldGiveEveryAddressAndLabel() throws IOException {
        List<VCard> old = CsvContacts.read(sample("gmail-old.csv"));
        assertThat(old).hasSize(2);
        assertThat(old.get(0).getFormattedName().getValue()).isEqualTo("佐藤 花子");
        assertThat(VCards.describe(old.get(0)).emails())
                .containsExactly("hanako@example.jp", "hanako2@example.jp", "sato@work.example");
        assertThat(old.get(0).getCategories().getValues()).containsExactly("友達");
        List<VCard> current = CsvContacts.read(sample("gmail.csv"));
        assertThat(current.get(0).getFormattedName().getValue()).isEqualTo("鈴木 一郎");
        assertThat(current.get(0).getTelephoneNumbers().get(0).getText()).isEqualTo("070-2222-3333");
    }

    @Test
    void writtenCsvShouldReadBackTheSameContacts() throws IOException {
        List<VCard> cards = CsvContacts.read(sample("outlook.csv"));
        List<VCard> again = CsvContacts.read(CsvContacts.write(cards).getBytes(StandardCharsets.UTF_8));
        assertThat(again).extracting(card -> VCards.describe(card).displayName())
                .containsExactly("山田 太郎", "Alice Smith");
        assertThat(VCards.describe(again.get(0)).emails()).containsExactly("taro.yamada@example.jp",
                "taro@home.example");
        assertThat(again.get(0).getExtendedProperty(CsvContacts.PHONETIC_GIVEN).getValue()).isEqualTo("たろう");
    }
}
