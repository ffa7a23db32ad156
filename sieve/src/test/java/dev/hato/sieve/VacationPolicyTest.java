package dev.hato.sieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VacationPolicyTest {

    private static final List<String> ME = List.of("taro@example.jp", "t.yamada@example.jp");

    private static SieveMessage message(String sender, String header) {
        byte[] bytes = (header.replace("|", "\r\n") + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        return HeaderMessage.of(bytes, bytes.length, sender, "taro@example.jp");
    }

    @ParameterizedTest(name = "{0} / {1}")
    @CsvSource(delimiter = '#', value = {
        "hanako@example.org#To: Taro <taro@example.jp>#",
        "hanako@example.org#To: staff:;|Cc: T.Yamada@EXAMPLE.jp#",
        "hanako@example.org#Resent-To: taro@example.jp|To: other@example.org#",
        "hanako@example.org#To: taro@example.jp|Auto-Submitted: no#",
        "hanako@example.org#To: taro@example.jp|Precedence: first-class#",
        "#To: taro@example.jp#the null sender",
        "MAILER-DAEMON@example.org#To: taro@example.jp#a sender that is a list or a mail system",
        "owner-staff@lists.example#To: taro@example.jp#a sender that is a list or a mail system",
        "staff-request@lists.example#To: taro@example.jp#a sender that is a list or a mail system",
        "LISTSERV@lists.example#To: taro@example.jp#a sender that is a list or a mail system",
        "Taro@Example.jp#To: taro@example.jp#a message from the recipient's own address",
        "hanako@example.org#To: taro@example.jp|Auto-Submitted: auto-replied#Auto-Submitted: auto-replied",
        "hanako@example.org#To: taro@example.jp|List-Id: <staff.lists.example>#a list message (list-id)",
        "hanako@example.org#To: taro@example.jp|List-Unsubscribe: <mailto:x@y.example>#a list message",
        "hanako@example.org#To: taro@example.jp|Precedence: Bulk#Precedence: bulk",
        "hanako@example.org#To: taro@example.jp|Precedence: junk#Precedence: junk",
        "hanako@example.org#To: someone@example.org|Bcc: other@example.org#none of the recipient's addresses",
        "hanako@example.org#From: taro@example.jp#none of the recipient's addresses",
    })
    void vacationShouldAnswerOnlyPeopleWhoWroteToTheRecipient(String sender, String header, String refusal) {
        assertThat(VacationPolicy.refusal(message(sender == null ? "" : sender, header), ME).orElse(null))
                .satisfies(reason -> {
                    if (refusal == null) {
                        assertThat(reason).isNull();
                    } else {
                        assertThat(reason).startsWith(refusal);
                    }
                });
    }
}
