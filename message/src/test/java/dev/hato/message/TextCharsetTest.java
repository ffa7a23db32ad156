package dev.hato.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The text to index comes out as the sender meant it, whatever the part declares or fails to declare. */
class TextCharsetTest {

    private static final String JAPANESE = "こんにちは、世界";

    private static String bodyText(String contentType, byte[] body) {
        byte[] header = ((contentType.isEmpty() ? "" : "Content-Type: " + contentType + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        MessageParser parser = MessageParser.withText(MessageLimits.DEFAULTS, 256 * 1024, 1 << 20);
        parser.feed(header, 0, header.length);
        for (int i = 0; i < body.length; i++) {
            parser.feed(body, i, 1); // an octet at a time: a multi-octet character is always split
        }
        return parser.finish().bodyText();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "text/plain; charset=iso-2022-jp|ISO-2022-JP",
        "text/plain; charset=shift_jis|windows-31j",
        "text/plain; charset=euc-jp|EUC-JP",
        "text/plain; charset=utf-8|UTF-8",
        "''|ISO-2022-JP",
        "text/plain|ISO-2022-JP",
        "text/plain; charset=us-ascii|ISO-2022-JP",
        "''|UTF-8",
        "text/plain; charset=us-ascii|UTF-8",
        "text/plain; charset=unknown-8bit|UTF-8",
        "text/plain; charset=x-no-such-charset|UTF-8",
        "''|EUC-JP",
        "''|windows-31j",
        "text/html|windows-31j",
    })
    void japaneseTextShouldBeReadDeclaredOrNot(String contentType, String encodedIn) {
        byte[] body = (JAPANESE + "\r\n").getBytes(Charset.forName(encodedIn));

        assertThat(bodyText(contentType, body)).contains(JAPANESE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "text/plain; charset=iso-8859-1|windows-1252|Café crème – déjà vu",
        "text/plain; charset=iso-8859-15|ISO-8859-15|Prix : 10 €",
        "text/plain; charset=iso-8859-2|ISO-8859-2|Zażółć gęślą jaźń",
        "''|windows-1252|Café crème, déjà vu",
        "text/plain; charset=us-ascii|UTF-8|naïve café",
    })
    void europeanTextShouldBeReadDeclaredOrNot(String contentType, String encodedIn, String text) {
        byte[] body = (text + "\r\n").getBytes(Charset.forName(encodedIn));

        assertThat(bodyText(contentType, body)).contains(text);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"ISO-2022-JP", "UTF-8", "EUC-JP", "windows-31j"})
    void undeclaredEightBitOrEscapedHeadersShouldBeRead(String encodedIn) {
        byte[] octets = ("件名 " + JAPANESE).getBytes(Charset.forName(encodedIn));

        assertThat(MimeCharsets.utf8OrLatin(octets, 0, octets.length)).isEqualTo("件名 " + JAPANESE);
    }
}
