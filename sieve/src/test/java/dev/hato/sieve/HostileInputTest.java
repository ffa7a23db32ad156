package dev.hato.sieve;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a sender or a script's author could use against the engine: each gives an outcome, never an exception. */
class HostileInputTest {

    private static Outcome run(String script, String message) throws CompileException {
        byte[] raw = message.getBytes(StandardCharsets.UTF_8);
        return new SieveInterpreter("+", java.time.Clock.systemUTC()).evaluate(SieveCompiler.compile(script),
                HeaderMessage.of(raw, raw.length, "s@example.org", "u@example.org"), name -> false,
                new Budget(100_000, 2_000_000_000L));
    }

    @Test
    void aDateAtTheEndOfTimeShouldBeNoDateNotAnError() throws CompileException {
        String script = "require [\"date\",\"fileinto\"]; if date :is \"date\" \"year\" \"2021\" { fileinto \"A\"; }"
                + " if date :zone \"+0000\" :is \"date\" \"year\" \"2021\" { fileinto \"B\"; }";
        for (String date : new String[] {"Fri, 31 Dec 999999999 23:59:59 -1800", "Mon, 1 Jan -999999999 00:00:00 +1800"}) {
            Outcome outcome = run(script, "Date: " + date + "\r\n\r\nx\r\n");
            assertThat(outcome.failed()).as(date).isFalse();
            assertThat(outcome.actions()).as(date).containsExactly(new Action.Keep());
        }
    }

    @Test
    void anExpansionShouldStopBeforeItGrowsPastItsBound() throws CompileException {
        // 50,000 references to a 4 KiB variable would build 200 million characters
        String script = "require \"variables\"; set \"a\" \"" + "x".repeat(4096) + "\"; set \"b\" \""
                + "${a}".repeat(50_000) + "\";";
        Runtime runtime = Runtime.getRuntime();
        runtime.gc();
        long before = runtime.totalMemory() - runtime.freeMemory();
        Outcome outcome = run(script, "Subject: x\r\n\r\nx\r\n");
        long grown = runtime.totalMemory() - runtime.freeMemory() - before;
        assertThat(outcome.failed()).isTrue();
        assertThat(outcome.failure()).contains("expands to more than");
        assertThat(grown).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void repeatedIdenticalActionsShouldCountOnceAsPigeonholeMergesThem() throws CompileException {
        Outcome outcome = run("require \"fileinto\";" + " fileinto \"A\"; keep; redirect \"a@example.com\";".repeat(40),
                "Subject: x\r\n\r\nx\r\n");
        assertThat(outcome.failed()).isFalse();
        assertThat(outcome.actions()).containsExactly(new Action.Keep(), new Action.FileInto("A"),
                new Action.Redirect("a@example.com"));
    }
}
