package dev.hato.sieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SieveInterpreterTest {

    private static final byte[] HEADER = ("From: \"Taro\" <taro@example.jp>\r\nTo: a@example.org, b@example.org\r\n"
            + "Subject: =?UTF-8?B?5Lya6K2w?= notes\r\n\r\n").getBytes(StandardCharsets.UTF_8);

    private static final java.util.Set<String> MAILBOXES = java.util.Set.of("Archive", "会議");

    private static Outcome run(String script, Budget budget) throws CompileException {
        return run(script, "sender@example.org", budget);
    }

    private static Outcome run(String script, String envelopeFrom, Budget budget) throws CompileException {
        return new SieveInterpreter("+", java.time.Clock.systemDefaultZone()).evaluate(SieveCompiler.compile(script),
                HeaderMessage.of(HEADER, 5000, envelopeFrom, "user@example.org"), MAILBOXES::contains, budget);
    }

    @Test
    void withoutActionsTheMessageShouldBeKept() throws CompileException {
        assertThat(run("", Budget.generous()).actions()).containsExactly(new Action.Keep());
        assertThat(run("if false { discard; }", Budget.generous()).actions()).containsExactly(new Action.Keep());
    }

    @Test
    void fileintoShouldCancelTheImplicitKeepAndCopyShouldNot() throws CompileException {
        assertThat(run("require \"fileinto\"; fileinto \"A\";", Budget.generous()).actions())
                .containsExactly(new Action.FileInto("A"));
        assertThat(run("require [\"fileinto\", \"copy\"]; fileinto :copy \"A\";", Budget.generous()).actions())
                .containsExactly(new Action.Keep(), new Action.FileInto("A"));
    }

    @Test
    void discardShouldLeaveOnlyWhatWasKeptExplicitly() throws CompileException {
        assertThat(run("discard;", Budget.generous()).actions()).containsExactly(new Action.Discard());
        assertThat(run("keep; discard;", Budget.generous()).actions()).containsExactly(new Action.Keep());
    }

    @Test
    void decodedHeadersAndAddressesShouldBeMatched() throws CompileException {
        String script = "require \"fileinto\";"
                + " if header :contains \"subject\" \"会議\" { fileinto \"Meetings\"; }"
                + " if address :is :domain \"to\" \"EXAMPLE.ORG\" { fileinto \"Org\"; }"
                + " if address :is :localpart \"to\" \"b\" { fileinto \"B\"; }";
        assertThat(run(script, Budget.generous()).actions()).containsExactly(new Action.FileInto("Meetings"),
                new Action.FileInto("Org"), new Action.FileInto("B"));
    }

    @Test
    void theNullSenderShouldBeTheEmptyStringForEveryAddressPart() throws CompileException {
        String script = "require [\"envelope\", \"fileinto\"];"
                + " if envelope :domain :is \"from\" \"\" { fileinto \"empty-domain\"; }"
                + " if envelope :localpart :is \"from\" \"\" { fileinto \"empty-local\"; }";
        assertThat(run(script, "", Budget.generous()).actions()).containsExactly(
                new Action.FileInto("empty-domain"), new Action.FileInto("empty-local"));
    }

    @Test
    void stopShouldEndTheScriptWithWhatWasDecidedSoFar() throws CompileException {
        assertThat(run("require \"fileinto\"; fileinto \"A\"; stop; fileinto \"B\";", Budget.generous()).actions())
                .containsExactly(new Action.FileInto("A"));
        assertThat(run("require \"fileinto\"; if true { if true { stop; } } fileinto \"B\";", Budget.generous())
                .actions()).containsExactly(new Action.Keep());
    }

    @Test
    void elsifAndElseShouldTakeTheFirstTrueBranchOnly() throws CompileException {
        String script = "require \"fileinto\"; if false { fileinto \"1\"; } elsif true { fileinto \"2\"; }"
                + " elsif true { fileinto \"3\"; } else { fileinto \"4\"; }"
                + " if false { fileinto \"5\"; } else { fileinto \"6\"; }";
        assertThat(run(script, Budget.generous()).actions()).containsExactly(new Action.FileInto("2"),
                new Action.FileInto("6"));
    }

    @Test
    void theSameMailboxOrAddressShouldBeActedOnOnce() throws CompileException {
        String script = "require \"fileinto\"; fileinto \"A\"; fileinto \"A\"; keep; fileinto \"inbox\";"
                + " redirect \"x@example.org\"; redirect \"x@EXAMPLE.ORG\"; redirect \"X@example.org\";";
        // the domain is case-insensitive, the local part is not (RFC 5321 §2.4; Pigeonhole sends to both)
        assertThat(run(script, Budget.generous()).actions()).containsExactly(new Action.Keep(),
                new Action.FileInto("A"), new Action.Redirect("x@example.org"), new Action.Redirect("X@example.org"));
    }

    @Test
    void tooManyActionsOrRedirectsShouldFailAndKeepTheMessage() throws CompileException {
        StringBuilder many = new StringBuilder("require \"fileinto\";");
        for (int i = 0; i <= SieveInterpreter.MAX_ACTIONS; i++) {
            many.append(" fileinto \"F").append(i).append("\";");
        }
        Outcome outcome = run(many.toString(), Budget.generous());
        assertThat(outcome.failed()).isTrue();
        assertThat(outcome.actions()).containsExactly(new Action.Keep());
        assertThat(outcome.failure()).contains("more than 32 actions");

        String redirects = "redirect \"a@x.example\"; redirect \"b@x.example\"; redirect \"c@x.example\";"
                + " redirect \"d@x.example\"; redirect \"e@x.example\";";
        assertThat(run(redirects, Budget.generous()).failure()).contains("more than 4 redirects");
    }

    @Test
    void aSpentBudgetShouldFailTheScriptAndKeepTheMessage() throws CompileException {
        String script = "require \"fileinto\"; fileinto \"A\";"
                + " if header :matches \"subject\" \"*a*a*a*a*a*a*a*a*a*b\" { discard; }";
        Outcome outcome = run(script, new Budget(3, Long.MAX_VALUE / 4));
        assertThat(outcome.failed()).isTrue();
        assertThat(outcome.actions()).isEqualTo(List.of(new Action.Keep()));
    }

    @Test
    void unicodeCasemapShouldCompareCaseAndWidthInsensitively() throws CompileException {
        String script = "require [\"fileinto\", \"comparator-i;unicode-casemap\"];"
                + " if header :contains :comparator \"i;unicode-casemap\" \"from\" \"TARO\" { fileinto \"A\"; }"
                + " if header :contains :comparator \"i;unicode-casemap\" \"subject\" \"ＮＯＴＥＳ\" { fileinto \"B\"; }"
                + " if header :contains \"subject\" \"ＮＯＴＥＳ\" { fileinto \"C\"; }";
        assertThat(run(script, Budget.generous()).actions()).containsExactly(new Action.FileInto("A"),
                new Action.FileInto("B"));
    }

    @Test
    void erejectShouldRefuseLikeRejectAndNothingMayDeliverBesideIt() throws CompileException {
        assertThat(run("require \"ereject\"; ereject text:\r\nNot here.\r\n.\r\n;", Budget.generous()).actions())
                .containsExactly(new Action.Reject("Not here.\r\n", true));
        assertThat(run("require [\"ereject\", \"fileinto\"]; ereject \"no\"; fileinto \"A\";", Budget.generous())
                .failure()).contains("would deliver a message rejected");
        assertThat(run("require [\"ereject\", \"reject\"]; reject \"no\"; ereject \"no\";", Budget.generous())
                .failure()).contains("a second reject");
        assertThat(run("require \"reject\"; redirect \"a@example.org\"; reject \"no\";", Budget.generous())
                .failure()).contains("after an action that delivers");
    }

    @Test
    void datesShouldBeComparedInTheServersZoneUnlessTheScriptNamesOne() throws CompileException {
        byte[] header = ("Date: Mon, 7 Dec 2026 23:30:00 +0000\r\nDate: Tue, 8 Dec 2026 01:02:03 -0130\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8);
        java.time.Clock tokyo = java.time.Clock.fixed(java.time.Instant.parse("2026-12-07T15:30:00Z"),
                java.time.ZoneId.of("Asia/Tokyo"));
        String script = "require [\"date\", \"index\", \"fileinto\"];"
                + " if date :is \"date\" \"date\" \"2026-12-08\" { fileinto \"tokyo-date\"; }"
                + " if date :originalzone :is \"date\" \"date\" \"2026-12-07\" { fileinto \"written-date\"; }"
                + " if currentdate :is \"iso8601\" \"2026-12-08T00:30:00+09:00\" { fileinto \"now-tokyo\"; }"
                + " if currentdate :zone \"+0000\" :is \"weekday\" \"1\" { fileinto \"monday-utc\"; }"
                // RFC 5260 §6: date takes :index; Pigeonhole 0.5.19 reads the first field whatever it says
                + " if date :index 2 :originalzone :is \"date\" \"zone\" \"-0130\" { fileinto \"second\"; }";
        Outcome outcome = new SieveInterpreter("+", tokyo).evaluate(SieveCompiler.compile(script),
                HeaderMessage.of(header, 100, "a@example.org", "b@example.org"), name -> false, Budget.generous());
        assertThat(outcome.actions()).containsExactly(new Action.FileInto("tokyo-date"),
                new Action.FileInto("written-date"), new Action.FileInto("now-tokyo"),
                new Action.FileInto("monday-utc"), new Action.FileInto("second"));
    }

    @Test
    void aBacktrackingRegexShouldBeStoppedByTheBudget() throws CompileException {
        // (x+x+)+y on 5,000 x runs for minutes in java.util.regex (measured: over 120 s on JDK 17)
        byte[] header = ("Subject: " + "x".repeat(5000) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        CompiledScript script = SieveCompiler.compile("require [\"regex\", \"fileinto\"];"
                + " if header :regex \"subject\" \"(x+x+)+y\" { fileinto \"never\"; }");
        long start = System.nanoTime();
        Outcome outcome = new SieveInterpreter("+", java.time.Clock.systemUTC()).evaluate(script,
                HeaderMessage.of(header, 100, "a@example.org", "b@example.org"), name -> false,
                new Budget(10_000, Long.MAX_VALUE / 4));
        assertThat(outcome.failed()).isTrue();
        assertThat(outcome.actions()).containsExactly(new Action.Keep());
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(5));
    }

    @Test
    void aRegexTooDeepForTheStackShouldFailTheScriptNotTheThread() throws CompileException {
        byte[] header = ("Subject: " + "ab".repeat(200_000) + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        CompiledScript script = SieveCompiler.compile("require [\"regex\", \"fileinto\"];"
                + " if header :regex \"subject\" \"^(a|b)*c\" { fileinto \"never\"; }");
        Outcome outcome = new SieveInterpreter("+", java.time.Clock.systemUTC()).evaluate(script,
                HeaderMessage.of(header, header.length, "a@example.org", "b@example.org"), name -> false,
                Budget.generous());
        assertThat(outcome.failed()).isTrue();
        assertThat(outcome.actions()).containsExactly(new Action.Keep());
    }

    @Test
    void mailboxexistsShouldAskTheRecipientsMailboxesAndCreateShouldBeCarried() throws CompileException {
        String script = "require [\"mailbox\", \"fileinto\"];"
                + " if mailboxexists [\"Archive\", \"inbox\"] { fileinto :create \"Archive/2026\"; }"
                + " if mailboxexists [\"会議\", \"Missing\"] { fileinto \"never\"; }"
                + " if mailboxexists \"会議\" { fileinto \"会議\"; }";
        assertThat(run(script, Budget.generous()).actions()).containsExactly(
                new Action.FileInto("Archive/2026", java.util.List.of(), true), new Action.FileInto("会議"));
    }

    @Test
    void stringsKnownOnlyAtRunTimeShouldBeCheckedThenAndFailTheScriptIfWrong() throws CompileException {
        assertThat(run("require \"variables\"; set \"to\" \"not an address\"; redirect \"${to}\";",
                Budget.generous()).failure()).contains("which is not an address");
        assertThat(run("require [\"variables\", \"regex\"]; set \"p\" \"(\";"
                + " if header :regex \"subject\" \"${p}\" { keep; }", Budget.generous()).failure())
                .contains("invalid regular expression '('");
        assertThat(run("require [\"variables\", \"fileinto\"]; fileinto \"${nothing}\";", Budget.generous())
                .failure()).contains("names no mailbox");
        assertThat(run("require \"variables\"; set \"to\" \"friend@example.org\"; redirect \"${to}\";",
                Budget.generous()).actions()).containsExactly(new Action.Redirect("friend@example.org"));
    }

    @Test
    void withoutVariablesAReferenceShouldBeLiteralText() throws CompileException {
        assertThat(run("require \"fileinto\"; fileinto \"${1}\";", Budget.generous()).actions())
                .containsExactly(new Action.FileInto("${1}"));
    }

    @Test
    void variablesShouldBeBoundedInSizeAndNumber() throws CompileException {
        StringBuilder script = new StringBuilder("require [\"variables\", \"fileinto\"]; set \"a\" \"0123456789\";");
        for (int i = 0; i < 12; i++) {
            script.append(" set \"a\" \"${a}${a}\";"); // 10 × 2^12 characters, cut at 4,096
        }
        script.append(" set :length \"n\" \"${a}\"; fileinto \"${n}\";");
        assertThat(run(script.toString(), Budget.generous()).actions())
                .containsExactly(new Action.FileInto(Integer.toString(Variables.MAX_VALUE)));
        StringBuilder many = new StringBuilder("require \"variables\";");
        for (int i = 0; i <= Variables.MAX_VARIABLES; i++) {
            many.append(" set \"v").append(i).append("\" \"x\";");
        }
        assertThat(run(many.toString(), Budget.generous()).failure()).contains("more than 255 variables");
    }
}
