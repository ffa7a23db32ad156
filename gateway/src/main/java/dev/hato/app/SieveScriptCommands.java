package dev.hato.app;

import dev.hato.sieve.CompileException;
import dev.hato.sieve.SieveCompiler;
import dev.hato.store.directory.Account;
import dev.hato.store.sieve.SieveScript;
import dev.hato.store.sieve.SieveScripts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato sieve put|list|get|activate|delete}: a person's stored scripts, as ManageSieve manages them, for
 * administrators (and the scripts of a migration). A script is compiled before it is stored, and refused with its
 * problems as {@code hato sieve check} prints them. A running server applies a change within five seconds (its cache
 * of active scripts; ManageSieve's changes apply at once).
 */
final class SieveScriptCommands {

    private SieveScriptCommands() { }

    @Command(name = "put", mixinStandardHelpOptions = true, description = {
            "Store FILE as the script NAME of an account (replacing a script of that name), after compiling it.",
            "Exit status 0 when stored, 1 when the script does not compile (its problems are printed)."})
    static final class Put implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS")
        String who;

        @Parameters(index = "1", paramLabel = "FILE", description = "The Sieve script (UTF-8).")
        Path file;

        @Option(names = "--name", paramLabel = "NAME", description = "The script's name (default: the file's name "
                + "without .sieve).")
        @Nullable String name;

        @Option(names = "--activate", description = "Make it the active script.")
        boolean activate;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            String text;
            try {
                text = SieveCommand.script(file);
                SieveCompiler.compile(text);
            } catch (CompileException | SieveCommand.Unreadable refused) {
                SieveCommand.printRefusal(out, file, refused);
                out.flush();
                return 1;
            }
            String scriptName = name != null ? name
                    : file.getFileName().toString().replaceFirst("\\.sieve$", "");
            try (CliContext context = store.open()) {
                Account account = UserCommand.findAccount(context, who);
                SieveScripts scripts = context.store().sieveScripts();
                scripts.put(account.id(), scriptName, text).block();
                if (activate) {
                    scripts.activate(account.id(), scriptName).block();
                }
                out.println("stored " + scriptName + " for " + account.address() + (activate ? " (active)" : ""));
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List an account's scripts; the active "
            + "one is marked.")
    static final class ListScripts implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS")
        String who;

        @Option(names = "--json", description = "One JSON array of objects, for scripts.")
        boolean json;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (CliContext context = store.open()) {
                Account account = UserCommand.findAccount(context, who);
                List<SieveScript> scripts = context.store().sieveScripts().list(account.id()).collectList().block();
                if (json) {
                    JsonOutput.print(out, scripts.stream().map(s -> JsonOutput.row("name",
                            s.name(), "active", s.active(), "octets", s.content().getBytes(
                                    java.nio.charset.StandardCharsets.UTF_8).length, "updated",
                            s.updatedAt().toString())).toList());
                    return 0;
                }
                for (SieveScript script : scripts) {
                    out.println(script.name() + (script.active() ? " (active)" : ""));
                }
            }
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print one of an account's scripts.")
    static final class Get implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS")
        String who;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (CliContext context = store.open()) {
                Account account = UserCommand.findAccount(context, who);
                SieveScript script = context.store().sieveScripts().get(account.id(), name).block();
                if (script == null) {
                    throw new IllegalArgumentException(account.address() + " has no script named " + name);
                }
                PrintWriter out = spec.commandLine().getOut();
                out.print(script.content());
                out.flush();
            }
            return 0;
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true, description = "Make NAME the account's active "
            + "script, or with --none deactivate its scripts (mail is then kept in the INBOX).")
    static final class Activate implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS")
        String who;

        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
        @Nullable String name;

        @Option(names = "--none", description = "Deactivate every script of the account.")
        boolean none;

        @Override
        public Integer call() {
            if (none == (name != null)) {
                throw new IllegalArgumentException("give either a NAME or --none");
            }
            try (CliContext context = store.open()) {
                Account account = UserCommand.findAccount(context, who);
                context.store().sieveScripts().activate(account.id(), name).block();
                spec.commandLine().getOut().println(name == null ? "no active script for " + account.address()
                        : name + " is the active script of " + account.address());
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one of an account's scripts "
            + "(not the active one).")
    static final class Delete implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS")
        String who;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            try (CliContext context = store.open()) {
                Account account = UserCommand.findAccount(context, who);
                context.store().sieveScripts().delete(account.id(), name).block();
                spec.commandLine().getOut().println("deleted " + name + " of " + account.address());
            }
            return 0;
        }
    }
}
