package dev.hato.app;

import dev.hato.sieve.CompileException;
import dev.hato.sieve.SieveCompiler;
import dev.hato.store.directory.Account;
import dev.hato.store.sieve.SieveScript;
import dev.hato.store.sieve.SieveScripts;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
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

    /** What every one of these commands takes: the store's options and the account, by auth ID or address. */
    abstract static class OnAccount implements Callable<Integer> {
        @Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        StoreOptions store = new StoreOptions();

        @Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS")
        String who;

        @Override
        public final Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            int status = run(out);
            out.flush();
            return status;
        }

        abstract int run(PrintWriter out);

        /** Runs {@code work} with the store open and the account found. */
        final void withAccount(java.util.function.BiConsumer<CliContext, Account> work) {
            try (CliContext context = store.open()) {
                work.accept(context, UserCommand.findAccount(context, who));
            }
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, description = {
            "Store FILE as the script NAME of an account (replacing a script of that name), after compiling it.",
            "Exit status 0 when stored, 1 when the script does not compile (its problems are printed)."})
    static final class Put extends OnAccount {
        @Parameters(index = "1", paramLabel = "FILE", description = "The Sieve script (UTF-8).")
        Path file;

        @Option(names = "--name", paramLabel = "NAME", description = "The script's name (default: the file's name "
                + "without .sieve).")
        @Nullable String name;

        @Option(names = "--activate", description = "Make it the active script.")
        boolean activate;

        @Override
        int run(PrintWriter out) {
            String text;
            try {
                text = SieveCommand.script(file);
                SieveCompiler.compile(text);
            } catch (CompileException | SieveCommand.Unreadable refused) {
                SieveCommand.printRefusal(out, file, refused);
                return 1;
            }
            String scriptName = name != null ? name : file.getFileName().toString().replaceFirst("\\.sieve$", "");
            withAccount((context, account) -> {
                SieveScripts scripts = context.store().sieveScripts();
                scripts.put(account.id(), scriptName, text).block();
                if (activate) {
                    scripts.activate(account.id(), scriptName).block();
                }
                out.println("stored " + scriptName + " for " + account.address() + (activate ? " (active)" : ""));
            });
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List an account's scripts; the active "
            + "one is marked.")
    static final class ListScripts extends OnAccount {
        @Option(names = "--json", description = "One JSON array of objects, for scripts.")
        boolean json;

        @Override
        int run(PrintWriter out) {
            withAccount((context, account) -> {
                List<SieveScript> scripts = context.store().sieveScripts().list(account.id()).collectList().block();
                if (json) {
                    JsonOutput.print(out, scripts.stream().map(s -> JsonOutput.row("name", s.name(), "active",
                            s.active(), "octets", s.content().getBytes(StandardCharsets.UTF_8).length, "updated",
                            s.updatedAt().toString())).toList());
                    return;
                }
                scripts.forEach(script -> out.println(script.name() + (script.active() ? " (active)" : "")));
            });
            return 0;
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Print one of an account's scripts.")
    static final class Get extends OnAccount {
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        int run(PrintWriter out) {
            withAccount((context, account) -> {
                SieveScript script = context.store().sieveScripts().get(account.id(), name).block();
                if (script == null) {
                    throw new IllegalArgumentException(account.address() + " has no script named " + name);
                }
                out.print(script.content());
            });
            return 0;
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true, description = "Make NAME the account's active "
            + "script, or with --none deactivate its scripts (mail is then kept in the INBOX).")
    static final class Activate extends OnAccount {
        @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
        @Nullable String name;

        @Option(names = "--none", description = "Deactivate every script of the account.")
        boolean none;

        @Override
        int run(PrintWriter out) {
            if (none == (name != null)) {
                throw new IllegalArgumentException("give either a NAME or --none");
            }
            withAccount((context, account) -> {
                context.store().sieveScripts().activate(account.id(), name).block();
                out.println(name == null ? "no active script for " + account.address()
                        : name + " is the active script of " + account.address());
            });
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete one of an account's scripts "
            + "(not the active one).")
    static final class Delete extends OnAccount {
        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        int run(PrintWriter out) {
            withAccount((context, account) -> {
                context.store().sieveScripts().delete(account.id(), name).block();
                out.println("deleted " + name + " of " + account.address());
            });
            return 0;
        }
    }
}
