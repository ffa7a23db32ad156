package dev.hato.sieve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Conformance by difference (ADR 0011): every script of {@code pigeonhole/scripts} over every message of
 * {@code pigeonhole/messages}, through Hato's engine and through Dovecot Pigeonhole's {@code sieve-test} (Debian
 * {@code dovecot-sieve}, installed by {@code .ci/run}; run by {@code benchmarks/scripts/sieve-reference.sh}). The
 * actions, normalised (keep, stores by folder, redirects by address, discard, or a run-time failure), must be the
 * same. Known, intended differences are listed in {@link #INTENDED}. Pigeonhole 0.5.19 has no i;unicode-casemap, so
 * that comparator is tested in {@code SieveInterpreterTest} and the {@code match} tests only.
 */
class PigeonholeDifferenceTest {

    private static final Path CORPUS = Path.of("src/test/resources/pigeonhole");
    private static final Path REFERENCE = Path.of("../benchmarks/scripts/sieve-reference.sh");
    private static final String FROM = "sender@example.org";
    private static final String TO = "user+box@example.org";

    /** "script/message" pairs where Hato means to differ, with the reason. */
    private static final Map<String, String> INTENDED = Map.of(
            "22-relational/list", "i;ascii-casemap orders after mapping a-z to A-Z (RFC 4790 §9.2), Pigeonhole after"
                    + " mapping A-Z to a-z: \"[staff]…\" :value \"ge\" \"sub\" is true here ('[' > 'S'), false there");

    @TestFactory
    Stream<DynamicTest> everyScriptShouldActOnEveryMessageAsPigeonholeDoes() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/sieve-test")), "sieve-test (dovecot-sieve) is not installed");
        List<Path> scripts;
        List<Path> messages;
        try (Stream<Path> s = Files.list(CORPUS.resolve("scripts")); Stream<Path> m = Files.list(CORPUS.resolve("messages"))) {
            scripts = s.sorted().toList();
            messages = m.sorted().toList();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Path script : scripts) {
            CompiledScript compiled;
            try {
                compiled = SieveCompiler.compile(Files.readString(script));
            } catch (CompileException e) {
                throw new AssertionError(script + " does not compile: " + e.getMessage(), e);
            }
            for (Path message : messages) {
                String name = script.getFileName() + " / " + message.getFileName();
                String key = strip(script) + "/" + strip(message);
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Set<String> hato = hato(compiled, message);
                    Set<String> pigeonhole = pigeonhole(script, message);
                    if (!INTENDED.containsKey(key)) {
                        assertThat(hato).as(name).isEqualTo(pigeonhole);
                    }
                }));
            }
        }
        return tests.stream();
    }

    private static String strip(Path file) {
        String name = file.getFileName().toString();
        return name.substring(0, name.lastIndexOf('.'));
    }

    private static Set<String> hato(CompiledScript script, Path message) throws IOException {
        byte[] raw = Files.readAllBytes(message);
        // sieve-test's mail store is an empty Maildir: only the INBOX exists there
        Outcome outcome = new SieveInterpreter("+", java.time.Clock.systemDefaultZone()).evaluate(script,
                HeaderMessage.of(raw, raw.length, FROM, TO), name -> false, Budget.generous());
        Set<String> actions = new TreeSet<>();
        if (outcome.failed()) {
            actions.add("failed");
        }
        for (Action action : outcome.actions()) {
            if (action instanceof Action.Keep keep) {
                actions.add("keep" + flags(keep.flags()));
            } else if (action instanceof Action.FileInto fileInto) {
                actions.add("fileinto " + fileInto.mailbox() + (fileInto.create() ? " +create" : "")
                        + flags(fileInto.flags()));
            } else if (action instanceof Action.Redirect redirect) {
                actions.add("redirect " + redirect.address());
            } else if (action instanceof Action.Vacation vacation) {
                actions.add("vacation seconds=" + vacation.periodSeconds()
                        + (vacation.subject() == null ? "" : " subject=" + vacation.subject().strip()) // sieve-test lines are stripped
                        + (vacation.from() == null ? "" : " from=" + vacation.from())
                        + " handle=" + vacation.handle() + " reason=" + vacation.reason());
            } else if (action instanceof Action.Reject reject) {
                actions.add("reject " + reject.reason());
            } else {
                actions.add("discard");
            }
        }
        return actions;
    }

    /** " +flag flag", sorted, system flags lower-cased as sieve-test prints them; empty without flags. */
    private static String flags(List<String> flags) {
        if (flags.isEmpty()) {
            return "";
        }
        return " +" + String.join(" ", new TreeSet<>(flags.stream()
                .map(flag -> flag.startsWith("\\") ? flag.toLowerCase(java.util.Locale.ROOT) : flag).toList()));
    }

    /** sieve-test's "Performed actions" and "Implicit keep", in the same words as {@link #hato}. */
    private static Set<String> pigeonhole(Path script, Path message) throws IOException, InterruptedException {
        Process process = new ProcessBuilder("bash", REFERENCE.toString(), script.toString(), message.toString(),
                FROM, TO).redirectErrorStream(false).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Set<String> actions = new TreeSet<>();
        if (process.exitValue() == 1 && err.contains("resolved with successful implicit keep")) {
            actions.add("failed");
            actions.add("keep");
            return actions;
        }
        assertThat(process.exitValue()).as("sieve-test on %s: %s", script, err).isZero();
        String store = null;
        String vacation = null;
        boolean reason = false;
        for (String line : out.split("\n")) {
            String action = line.strip();
            if (vacation != null) {
                // "=> seconds : 259200", "=> subject : …", "=> from : …", "=> handle : …", then the reason
                if (action.equals("START MESSAGE")) {
                    reason = true;
                    vacation += " reason=";
                } else if (action.equals("END MESSAGE")) {
                    actions.add(vacation.replace("reason=\n", "reason="));
                    vacation = null;
                    reason = false;
                } else if (reason) {
                    vacation += (vacation.endsWith("reason=") ? "" : "\n") + line;
                } else if (action.startsWith("=> ")) {
                    String[] field = action.substring(3).split(" *: ", 2);
                    vacation += " " + field[0] + "=" + field[1];
                }
                continue;
            }
            if (action.equals("* send vacation message:")) {
                vacation = "vacation";
                continue;
            }
            if (store != null && action.startsWith("+ add IMAP flags: ")) {
                String flags = action.substring("+ add IMAP flags: ".length());
                store += flags(List.of(flags.split(" ")));
                continue;
            }
            if (store != null && action.equals("+ create mailbox if it does not exist")) {
                store += " +create";
                continue;
            }
            if (store != null && !action.startsWith("+ ")) {
                actions.add(store);
                store = null;
            }
            if (action.startsWith("* store message in folder: ")) {
                String folder = action.substring("* store message in folder: ".length());
                store = folder.equals("INBOX") ? "keep" : "fileinto " + folder;
            } else if (action.startsWith("* redirect message to: ")) {
                String to = action.substring("* redirect message to: ".length());
                actions.add("redirect " + to.replaceAll("^<|>$", ""));
            } else if (action.startsWith("* reject message with reason: ")) {
                actions.add("reject " + action.substring("* reject message with reason: ".length()));
            } else if (action.equals("* discard")) {
                actions.add("discard");
            } else if (action.startsWith("* ")) {
                actions.add("unknown " + action);
            }
        }
        if (store != null) {
            actions.add(store);
        }
        // Pigeonhole lists a discard beside what is kept anyway; it changes nothing then (RFC 5228 §4.4).
        if (actions.size() > 1) {
            actions.remove("discard");
        }
        if (actions.isEmpty()) {
            actions.add("discard");
        }
        return actions;
    }
}
