package dev.hato.web.dav;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** addressbook-query's filters (RFC 6352 §10.5) on vCard text, as clients send them. */
class CardFilterTest {

    private static final String TARO = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:t\r\nFN:山田 太郎\r\n"
            + "item1.EMAIL;TYPE=\"INTERNET,WORK\":Taro@Example.JP\r\nNOTE:a long note fol\r\n ded\r\nEND:VCARD\r\n";

    private static CardFilter filter(String inner, String test) {
        Element root = DavXml.parse(("<C:filter xmlns:C='urn:ietf:params:xml:ns:carddav' test='" + test + "'>"
                + inner + "</C:filter>").getBytes(StandardCharsets.UTF_8));
        return CardFilter.parse(root);
    }

    @Test
    void textMatchesShouldFollowTheirMatchTypeCollationAndNegation() {
        assertThat(filter("<C:prop-filter name='EMAIL'><C:text-match>example.jp</C:text-match></C:prop-filter>",
                "anyof").matches(TARO)).isTrue();
        assertThat(filter("<C:prop-filter name='email'><C:text-match collation='i;octet'>example.jp"
                + "</C:text-match></C:prop-filter>", "anyof").matches(TARO)).isFalse();
        assertThat(filter("<C:prop-filter name='FN'><C:text-match match-type='starts-with'>山田</C:text-match>"
                + "</C:prop-filter>", "anyof").matches(TARO)).isTrue();
        assertThat(filter("<C:prop-filter name='FN'><C:text-match match-type='equals' negate-condition='yes'>"
                + "山田 太郎</C:text-match></C:prop-filter>", "anyof").matches(TARO)).isFalse();
        assertThat(filter("<C:prop-filter name='NOTE'><C:text-match>folded</C:text-match></C:prop-filter>",
                "anyof").matches(TARO)).isTrue();
    }

    @Test
    void propAndParamFiltersShouldCombineByTheirTest() {
        String missingTel = "<C:prop-filter name='TEL'><C:is-not-defined/></C:prop-filter>";
        String work = "<C:prop-filter name='EMAIL'><C:param-filter name='TYPE'><C:text-match match-type='equals'>"
                + "work</C:text-match></C:param-filter></C:prop-filter>";
        String nickname = "<C:prop-filter name='NICKNAME'/>";
        assertThat(filter(missingTel + work, "allof").matches(TARO)).isTrue();
        assertThat(filter(missingTel + nickname, "allof").matches(TARO)).isFalse();
        assertThat(filter(missingTel + nickname, "anyof").matches(TARO)).isTrue();
        assertThat(filter("", "anyof").matches(TARO)).isTrue();
    }
}
