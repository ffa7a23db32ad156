package dev.hato.imap.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ModifiedUtf7Test {

    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
        "INBOX|INBOX",
        "&ZeVnLIqe-|\u65e5\u672c\u8a9e",
        // RFC 3501 §5.1.3 example
        "~peter/mail/&U,BTFw-/&ZeVnLIqe-|~peter/mail/\u53f0\u5317/\u65e5\u672c\u8a9e",
        "Tom &- Jerry|Tom & Jerry",
        "&-&-|&&",
        "&AOQ-pfel|\u00e4pfel",
        "Entw&APw-rfe|Entw\u00fcrfe",
        "&Jjo-|\u263a",
        "&2D3eAA-|\ud83d\ude00",
        "&MEIwRDBG-/&MEgwSg-|\u3042\u3044\u3046/\u3048\u304a",
        "&AAk-tab|\ttab",
        "''|''",
    })
    void nameShouldDecodeAndEncodeBack(String wire, String name) {
        assertThat(ModifiedUtf7.decode(wire)).isEqualTo(name);
        assertThat(ModifiedUtf7.encode(name)).isEqualTo(wire);
    }

    @ParameterizedTest
    @ValueSource(strings = {"&ZeVnLIqe", "&", "&U,BTFw-&ZeVnLIqe-", "&AGE-", "&ZeVnLIq-", "&Ze-", "&Z!-", "\u00e4",
        "&2D0-", "&3gA-", "a\u0001b"})
    void invalidModifiedUtf7ShouldBeRejected(String wire) {
        assertThatThrownBy(() -> ModifiedUtf7.decode(wire)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("not modified UTF-7");
    }
}
