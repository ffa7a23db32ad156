package dev.hato.message;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The first mailbox of an address list, as From, To and Reply-To hold them, the ordinary and the broken. */
class HeaderAddressesTest {

    @Test
    void ordinaryMailboxesShouldBeRead() {
        assertThat(HeaderAddresses.first("Taro Yamada <taro@example.jp>"))
                .isEqualTo(new HeaderAddresses.Mailbox("taro@example.jp", "Taro Yamada"));
        assertThat(HeaderAddresses.first("\"Yamada, Taro\" <taro@example.jp>, other@example.org"))
                .isEqualTo(new HeaderAddresses.Mailbox("taro@example.jp", "Yamada, Taro"));
        assertThat(HeaderAddresses.first("taro@example.jp (Taro)"))
                .isEqualTo(new HeaderAddresses.Mailbox("taro@example.jp", null));
        assertThat(HeaderAddresses.first("Team: a@example.org, b@example.org;"))
                .isEqualTo(new HeaderAddresses.Mailbox("a@example.org", null));
        assertThat(HeaderAddresses.first("<@route.example:taro@example.jp>"))
                .isEqualTo(new HeaderAddresses.Mailbox("taro@example.jp", null));
        assertThat(HeaderAddresses.first("")).isNull();
    }

    /**
     * A closing bracket nothing opened stood the parser still: it added an empty word for ever, until memory ran out.
     * Found by fuzzing DMARC (InboundFuzzTest#dmarc): any arriving message with such a From field did that to the
     * thread checking it.
     */
    @Test
    @Timeout(5)
    void strayClosingBracketsShouldBeSkippedNotLoopedOn() {
        assertThat(HeaderAddresses.first("\"A@d.example\"@b.exarejectmple>example TXT v\"a, B\" <=Da"))
                .isNotNull();
        assertThat(HeaderAddresses.first("taro> <taro@example.jp>"))
                .isEqualTo(new HeaderAddresses.Mailbox("taro@example.jp", "taro"));
        assertThat(HeaderAddresses.first("a@example.org)")).isEqualTo(new HeaderAddresses.Mailbox("a@example.org",
                null));
        assertThat(HeaderAddresses.first(">>>)))")).isNull();
        assertThat(HeaderAddresses.first(">".repeat(100_000) + "x@example.org"))
                .isEqualTo(new HeaderAddresses.Mailbox("x@example.org", null));
    }

    @Test
    void allShouldGiveEveryMailboxOfTheListGroupsFlattened() {
        assertThat(HeaderAddresses.all("\"Yamada, Taro\" <taro@example.jp>, hanako@example.jp (Hanako),"
                + " team: a@example.org, B <b@example.org>;, undisclosed-recipients:;, <>, c@example.net"))
                .extracting(HeaderAddresses.Mailbox::address)
                .containsExactly("taro@example.jp", "hanako@example.jp", "a@example.org", "b@example.org",
                        "c@example.net");
        assertThat(HeaderAddresses.all("undisclosed-recipients:;")).isEmpty();
        assertThat(HeaderAddresses.all(null)).isEmpty();
        assertThat(HeaderAddresses.all("<@route.example:x@example.org>")).extracting(HeaderAddresses.Mailbox::address)
                .containsExactly("x@example.org");
    }
}
