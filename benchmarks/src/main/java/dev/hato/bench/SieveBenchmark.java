package dev.hato.bench;

import dev.hato.sieve.Action;
import dev.hato.sieve.Budget;
import dev.hato.sieve.CompiledScript;
import dev.hato.sieve.HeaderMessage;
import dev.hato.sieve.Outcome;
import dev.hato.sieve.SieveCompiler;
import dev.hato.sieve.SieveInterpreter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Hato's own Sieve engine (ADR 0011) on the script and messages of {@link JsieveBenchmark}, so the figures compare:
 * {@code compile} parses and checks {@link JsieveFixtures#SCRIPT} (20 rules); {@code evaluateJapanese} runs the
 * compiled form for the 10 KiB multipart Japanese message (rule 19 matches its ISO-2022-JP subject),
 * {@code evaluatePlain} for the 10 KiB plain message (no rule matches). The message views are built once, as
 * delivery builds one per message for all its recipients; {@code viewAndEvaluate*} include building it (the header
 * split and unfolded, the body not read).
 *
 * <p>Not final: JMH generates subclasses of benchmark classes.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SieveBenchmark {

    private static final String FROM = "sender@example.org";
    private static final String TO = "user@example.jp";

    private final SieveInterpreter interpreter = new SieveInterpreter("+", Clock.systemUTC());
    private CompiledScript script;
    private byte[] japaneseMessage;
    private byte[] plainMessage;
    private HeaderMessage japanese;
    private HeaderMessage plain;

    @Setup
    public void prepare() throws Exception {
        script = SieveCompiler.compile(JsieveFixtures.SCRIPT);
        japaneseMessage = Messages.japanese(JsieveBenchmark.SIZE);
        plainMessage = Messages.message(JsieveBenchmark.SIZE);
        japanese = HeaderMessage.of(japaneseMessage, japaneseMessage.length, FROM, TO);
        plain = HeaderMessage.of(plainMessage, plainMessage.length, FROM, TO);
        check("japanese", evaluateJapanese(), List.of(new Action.FileInto("Meetings")));
        check("plain", evaluatePlain(), List.of(new Action.Keep()));
    }

    private static void check(String what, Outcome outcome, List<Action> expected) {
        if (!outcome.actions().equals(expected)) {
            throw new IllegalStateException(what + ": expected " + expected + ", got " + outcome);
        }
    }

    @Benchmark
    public CompiledScript compile() throws Exception {
        return SieveCompiler.compile(JsieveFixtures.SCRIPT);
    }

    @Benchmark
    public Outcome evaluateJapanese() {
        return interpreter.evaluate(script, japanese, name -> false, new Budget(100_000, 1_000_000_000L));
    }

    @Benchmark
    public Outcome evaluatePlain() {
        return interpreter.evaluate(script, plain, name -> false, new Budget(100_000, 1_000_000_000L));
    }

    @Benchmark
    public Outcome viewAndEvaluateJapanese() {
        return interpreter.evaluate(script, HeaderMessage.of(japaneseMessage, japaneseMessage.length, FROM, TO),
                name -> false, new Budget(100_000, 1_000_000_000L));
    }

    @Benchmark
    public Outcome viewAndEvaluatePlain() {
        return interpreter.evaluate(script, HeaderMessage.of(plainMessage, plainMessage.length, FROM, TO),
                name -> false, new Budget(100_000, 1_000_000_000L));
    }
}
