package dev.hato.app;

import dev.hato.sieve.Action;
import dev.hato.sieve.Budget;
import dev.hato.sieve.CompileException;
import dev.hato.sieve.CompiledScript;
import dev.hato.sieve.HeaderMessage;
import dev.hato.sieve.Outcome;
import dev.hato.sieve.Problem;
import dev.hato.sieve.SieveCompiler;
import dev.hato.sieve.SieveInterpreter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato sieve check FILE...} and {@code hato sieve test SCRIPT MESSAGE}: Hato's Sieve engine (docs/sieve.md) on
 * files, before any script is used (and, in {@link SieveScriptCommands}, the scripts people have stored). {@code check} finds every problem of a script with its line, as an upload would
 * be refused: what to run over scripts exported from the old system before a migration. {@code test} prints what a
 * script would do with one message, as Pigeonhole's {@code sieve-test} does, so the two can be compared. These two read
 * files only: they need no database and no running server.
 */
@Command(name = "sieve", mixinStandardHelpOptions = true,
        description = "Check Sieve scripts, try them on messages, and manage the scripts people have stored.",
        subcommands = {SieveCommand.Check.class, SieveCommand.Try.class, SieveScriptCommands.Put.class,
            SieveScriptCommands.ListScripts.class, SieveScriptCommands.Get.class, SieveScriptCommands.Activate.class,
            SieveScriptCommands.Delete.class})
final class SieveCommand {

    /** The largest script read: ManageSieve servers commonly refuse larger ones (Pigeonhole: 1 MiB). */
    static final long MAX_SCRIPT = 1024 * 1024;

    /** The largest message read by {@code test}. */
    static final long MAX_MESSAGE = 64L * 1024 * 1024;

    @Command(name = "check", mixinStandardHelpOptions = true, description = {
            "Compile each Sieve script and print its problems as FILE:LINE:COLUMN: problem, or FILE: ok and the "
                    + "extensions it requires.",
            "Exit status 0 when every script compiles, 1 otherwise."})
    static final class Check implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "FILE", description = "Sieve scripts (UTF-8).")
        List<Path> files = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            int status = 0;
            for (Path file : files) {
                try {
                    CompiledScript script = SieveCompiler.compile(script(file));
                    Set<String> used = new TreeSet<>(script.capabilities());
                    used.removeIf(capability -> capability.equals("comparator-i;octet")
                            || capability.equals("comparator-i;ascii-casemap"));
                    out.println(file + ": ok" + (used.isEmpty() ? "" : " (" + String.join(", ", used) + ")"));
                } catch (CompileException | Unreadable refused) {
                    printRefusal(out, file, refused);
                    status = 1;
                }
            }
            out.flush();
            return status;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true, description = {
            "Run a Sieve script for one message and print the actions it decides, one a line: keep, fileinto, "
                    + "redirect, reject, vacation or discard, with flags; or why the script failed (the message "
                    + "would then be kept). Nothing is stored or sent.",
            "Exit status 0 when the script ran (even if it failed at run time), 1 when it does not compile."})
    static final class Try implements Callable<Integer> {

        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SCRIPT", description = "The Sieve script (UTF-8).")
        Path script;

        @Parameters(index = "1", paramLabel = "MESSAGE", description = "The message, as it would arrive (RFC 5322).")
        Path message;

        @Option(names = "--from", paramLabel = "ADDR", defaultValue = "sender@example.org",
                description = "The envelope sender (empty for <>; default ${DEFAULT-VALUE}).")
        String from;

        @Option(names = "--to", paramLabel = "ADDR", defaultValue = "user@example.org",
                description = "The envelope recipient the script runs for (default ${DEFAULT-VALUE}).")
        String to;

        @Option(names = "--mailbox", paramLabel = "NAME",
                description = "A mailbox the recipient has, for mailboxexists (repeatable; the INBOX always is).")
        List<String> mailboxes = new ArrayList<>();

        @Option(names = "--subaddress-separator", paramLabel = "SEP", defaultValue = "+",
                description = "What separates user and detail for :user and :detail (default ${DEFAULT-VALUE}).")
        String separator;

        @Override
        public Integer call() throws IOException {
            PrintWriter out = spec.commandLine().getOut();
            CompiledScript compiled;
            try {
                compiled = SieveCompiler.compile(script(script));
            } catch (CompileException | Unreadable refused) {
                printRefusal(out, script, refused);
                out.flush();
                return 1;
            }
            if (Files.size(message) > MAX_MESSAGE) {
                out.println(message + ": larger than " + MAX_MESSAGE + " octets");
                out.flush();
                return 1;
            }
            byte[] octets = Files.readAllBytes(message);
            Outcome outcome = new SieveInterpreter(separator, Clock.systemDefaultZone()).evaluate(compiled,
                    HeaderMessage.of(octets, octets.length, from, to), mailboxes::contains,
                    new Budget(1_000_000, 5_000_000_000L));
            if (outcome.failed()) {
                out.println("failed: " + outcome.failure() + " (the message is kept in the INBOX)");
            }
            outcome.actions().forEach(action -> out.println(describe(action)));
            out.flush();
            return 0;
        }
    }

    /** FILE:LINE:COLUMN: problem for each problem of a refused script, FILE: reason for one that cannot be read. */
    static void printRefusal(PrintWriter out, Path file, Exception refused) {
        if (refused instanceof CompileException compile) {
            for (Problem problem : compile.problems()) {
                out.println(file + ":" + problem.at().line() + ":" + problem.at().column() + ": " + problem.message());
            }
        } else {
            out.println(file + ": " + refused.getMessage());
        }
    }

    static String describe(Action action) {
        if (action instanceof Action.Keep keep) {
            return "keep" + flags(keep.flags());
        }
        if (action instanceof Action.FileInto fileInto) {
            return "fileinto " + fileInto.mailbox() + (fileInto.create() ? " (create)" : "") + flags(fileInto.flags());
        }
        if (action instanceof Action.Redirect redirect) {
            return "redirect " + redirect.address();
        }
        if (action instanceof Action.Reject reject) {
            return (reject.extended() ? "ereject: " : "reject: ") + oneLine(reject.reason());
        }
        if (action instanceof Action.Vacation vacation) {
            return "vacation: every " + vacation.periodSeconds() + " s"
                    + (vacation.subject() == null ? "" : ", subject " + vacation.subject())
                    + (vacation.from() == null ? "" : ", from " + vacation.from())
                    + ", handle " + oneLine(vacation.handle()) + ": " + oneLine(vacation.reason());
        }
        return "discard";
    }

    private static String flags(List<String> flags) {
        return flags.isEmpty() ? "" : " flags " + String.join(" ", flags);
    }

    private static String oneLine(String text) {
        return text.replace("\r\n", "\\n").replace("\n", "\\n");
    }

    /** A script's text: UTF-8 (RFC 5228 §2.1), at most {@link #MAX_SCRIPT} octets. */
    static String script(Path file) throws Unreadable {
        try {
            if (Files.size(file) > MAX_SCRIPT) {
                throw new Unreadable("larger than " + MAX_SCRIPT + " octets");
            }
            byte[] octets = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(octets)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw new Unreadable("not UTF-8 text (RFC 5228 §2.1)");
        } catch (IOException e) {
            throw new Unreadable("cannot be read: " + e.getMessage());
        }
    }

    /** A script file that cannot be read as a script. */
    static final class Unreadable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreadable(String reason) {
            super(reason);
        }
    }
}
