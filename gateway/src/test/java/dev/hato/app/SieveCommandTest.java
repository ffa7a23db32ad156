package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hato sieve check} and {@code hato sieve test} on files, as an operator preparing a migration runs them. */
class SieveCommandTest {

    private static final String MESSAGE = "From: Taro <taro@example.jp>\r\nTo: user+lists@example.org\r\n"
            + "Subject: =?ISO-2022-JP?B?GyRCMnE1RCRONUQ7dk8/GyhC?=\r\n\r\nhello\r\n";

    private record Run(int status, List<String> lines, String err) { }

    private static Run hato(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Hato.execute(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        return new Run(status, text.isEmpty() ? List.of() : List.of(text.split("\n")), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void checkShouldPrintEveryProblemWithItsLineOrOkWithTheExtensions(@TempDir Path dir) throws Exception {
        Path good = Files.writeString(dir.resolve("good.sieve"),
                "require [\"fileinto\", \"imap4flags\"];\nif header :contains \"subject\" \"議事録\" {\n"
                        + "  addflag \"\\\\Flagged\"; fileinto \"会議\";\n}\n");
        Path bad = Files.writeString(dir.resolve("bad.sieve"),
                "require \"fileinto\";\nfileinto [\"a\"];\nif nonesuch { keep; }\nredirect \"not an address\";\n");
        Path binary = Files.write(dir.resolve("latin1.sieve"), new byte[] {'k', 'e', 'e', 'p', (byte) 0xE9, ';'});
        Run run = hato("sieve", "check", good.toString(), bad.toString(), binary.toString());
        assertThat(run.status()).as(run.err()).isEqualTo(1);
        assertThat(run.lines()).containsExactly(
                good + ": ok (fileinto, imap4flags)",
                bad + ":2:10: fileinto takes one string, a mailbox name",
                bad + ":3:4: unknown test 'nonesuch'",
                bad + ":4:1: redirect needs an address as local-part@domain, not 'not an address'",
                binary + ": not UTF-8 text (RFC 5228 §2.1)");
        assertThat(hato("sieve", "check", good.toString()).status()).isZero();
    }

    @Test
    void testShouldPrintTheActionsAScriptDecidesForAMessage(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("rules.sieve"), String.join("\n",
                "require [\"fileinto\", \"imap4flags\", \"subaddress\", \"envelope\", \"vacation\", \"mailbox\",",
                "         \"variables\"];",
                "if header :contains \"subject\" \"議事録\" { addflag \"\\\\Flagged\"; fileinto :create \"会議\"; }",
                "if envelope :detail \"to\" \"lists\" { fileinto \"Lists\"; }",
                "if mailboxexists \"Archive\" { fileinto \"Archive\"; }",
                "if address :matches :domain \"from\" \"*\" { set \"d\" \"${1}\"; }",
                "vacation :days 3 :subject \"Away\" \"Back on Monday (${d}).\";"));
        Path message = Files.writeString(dir.resolve("m.eml"), MESSAGE);
        Run run = hato("sieve", "test", script.toString(), message.toString(), "--to", "user+lists@example.org",
                "--mailbox", "Archive");
        assertThat(run.status()).as(run.err()).isZero();
        assertThat(run.lines()).containsExactly(
                "fileinto 会議 (create) flags \\Flagged",
                "fileinto Lists flags \\Flagged",
                "fileinto Archive flags \\Flagged",
                "vacation: every 259200 s, subject Away, handle Back on Monday (${d}).Away<default-from><NO-MIME>: "
                        + "Back on Monday (example.jp).");
    }

    @Test
    void aScriptThatFailsAtRunTimeShouldSayWhyAndKeep(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("loop.sieve"), "redirect \"a@x.example\"; redirect \"b@x.example\";"
                + " redirect \"c@x.example\"; redirect \"d@x.example\"; redirect \"e@x.example\";");
        Path message = Files.writeString(dir.resolve("m.eml"), MESSAGE);
        Run run = hato("sieve", "test", script.toString(), message.toString());
        assertThat(run.status()).isZero();
        assertThat(run.lines()).containsExactly("failed: more than 4 redirects (the message is kept in the INBOX)",
                "keep");
    }

    @Test
    void testShouldRefuseAScriptThatDoesNotCompile(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("bad.sieve"), "fileinto \"x\";");
        Path message = Files.writeString(dir.resolve("m.eml"), MESSAGE);
        Run run = hato("sieve", "test", script.toString(), message.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.lines()).containsExactly(script + ":1:1: fileinto needs require \"fileinto\"");
    }
}
