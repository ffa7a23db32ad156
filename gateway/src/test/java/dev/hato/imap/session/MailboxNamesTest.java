package dev.hato.imap.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.mail.MailboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MailboxNamesTest {

    @Test
    void inboxShouldBeCaseInsensitiveAlsoAsTheFirstLevel() {
        assertThat(MailboxNames.fromWire("inbox", false)).isEqualTo("INBOX");
        assertThat(MailboxNames.fromWire("Inbox/Sub", false)).isEqualTo("INBOX/Sub");
        assertThat(MailboxNames.fromWire("InboxOther", false)).isEqualTo("InboxOther");
    }

    @Test
    void namesShouldTravelInModifiedUtf7UnlessUtf8WasEnabled() {
        assertThat(MailboxNames.fromWire("&ZeVnLIqe-", false)).isEqualTo("\u65e5\u672c\u8a9e");
        assertThat(MailboxNames.toWire("\u65e5\u672c\u8a9e", false)).isEqualTo("\"&ZeVnLIqe-\"");
        assertThat(MailboxNames.toWire("\u65e5\u672c\u8a9e", true)).isEqualTo("\"\u65e5\u672c\u8a9e\"");
        assertThat(MailboxNames.forCreate("Projects/", false)).isEqualTo("Projects");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a//b", "/top", "wild*", "per%cent", "tab\there", "bad&utf7"})
    void malformedNamesShouldBeNoMailboxToFindAndNoneToMake(String name) {
        boolean utf8 = !name.contains("&");
        assertThatThrownBy(() -> MailboxNames.fromWire(name, utf8)).isInstanceOfSatisfying(MailboxException.class,
                e -> assertThat(e.reason()).isEqualTo(MailboxException.Reason.NONEXISTENT));
        assertThatThrownBy(() -> MailboxNames.toMake(name, utf8)).isInstanceOfSatisfying(MailboxException.class,
                e -> assertThat(e.reason()).isEqualTo(MailboxException.Reason.CANNOT));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Cafe\u0301", "Work/Cafe\u0301", "c1\u0085control"})
    void utf8NamesThatAreNotNetUnicodeShouldBeNoneToMakeButMayBeLookedFor(String name) {
        // RFC 9051 §5.1, RFC 5198 §2: NFC, no C1 controls; in modified UTF-7 the decoded name is not checked here.
        assertThatThrownBy(() -> MailboxNames.forCreate(name, true)).isInstanceOfSatisfying(MailboxException.class,
                e -> assertThat(e.reason()).isEqualTo(MailboxException.Reason.CANNOT));
        assertThat(MailboxNames.fromWire(name, true)).isEqualTo(name);
        assertThat(MailboxNames.forCreate("Caf\u00e9", true)).isEqualTo("Caf\u00e9");
    }
}
