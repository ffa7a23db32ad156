package dev.hato.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.imap.wire.ImapCommandParser;
import dev.hato.pop3.command.Pop3Command;
import dev.hato.pop3.command.Pop3CommandParser;
import dev.hato.smtp.command.SmtpCommand;
import dev.hato.smtp.command.SmtpCommandParser;
import java.util.ArrayList;
import java.util.List;

/**
 * The command parsers of SMTP, IMAP and POP3 meet a coverage-guided fuzzer (Jazzer; issue 20 item 7). Each of them
 * promises to turn any line (and, for IMAP, any literals) into a command, an invalid one for garbage, and never to
 * throw: an exception, a hang or a runaway allocation is a finding. In a normal build each target replays the seeds in
 * {@code src/test/resources/dev/hato/fuzz/ParserFuzzTestInputs/<target>/} (the inputs kept from fuzzing runs and
 * every finding); {@code JAZZER_FUZZ=1 mvn test -pl gateway -Dtest=ParserFuzzTest#smtp} fuzzes one target
 * (docs/security.md, "Fuzzing", has the runs and their counts).
 */
class ParserFuzzTest {

    private static final SmtpCommandParser SMTP = new SmtpCommandParser();
    private static final ImapCommandParser IMAP = new ImapCommandParser(20);
    private static final Pop3CommandParser POP3 = new Pop3CommandParser();

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    void smtp(FuzzedDataProvider data) {
        SmtpCommand command = SMTP.parse(data.consumeRemainingAsBytes());
        assertThat(command).isNotNull();
    }

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    void imap(FuzzedDataProvider data) {
        int count = data.consumeInt(0, 3);
        List<byte[]> literals = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            literals.add(data.consumeBytes(data.consumeInt(0, 64)));
        }
        ImapCommand command = IMAP.parse(data.consumeRemainingAsBytes(), literals);
        assertThat(command).isNotNull();
    }

    @FuzzTest(maxDuration = "15m", maxExecutions = 10_000_000)
    void pop3(FuzzedDataProvider data) {
        Pop3Command command = POP3.parse(data.consumeRemainingAsBytes());
        assertThat(command).isNotNull();
    }
}
