package dev.hato.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code hato} command: {@code serve} runs the gateway, the other commands administer it, also while it runs.
 * {@code --help} and {@code --version} are inherited by every subcommand, so {@code hato user list --help} answers.
 */
@Command(name = "hato", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "Hato " + GatewayStatus.VERSION,
        description = "Reactive mail gateway: SMTP, POP3 and HTTP on PostgreSQL.",
        subcommands = {ServeCommand.class, DomainCommand.class, UserCommand.class, AliasCommand.class,
                QueueCommand.class, DkimCommand.class, AuditCommand.class, LogCommand.class, ConfigCommand.class,
                BackupCommand.class, RestoreCommand.class, TlsCommand.class, SieveCommand.class,
                SettingsCommand.class, ContactsCommand.class, LegacyCommand.class, RouteCommand.class,
                MailImportCommand.class, MigrateCommand.class, AdminCommand.class})
public final class Hato implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int status = execute(args, System.in, System.out, System.err);
        if (status != ServeCommand.KEEP_RUNNING) {
            CliContext.stopEventLoops();
            System.exit(status);
        }
    }

    /** Runs one command line; returns its exit status (or KEEP_RUNNING for a started server). */
    public static int execute(String[] args, InputStream in, PrintStream out, PrintStream err) {
        ConsoleFactory factory = new ConsoleFactory(in);
        CommandLine commandLine = onlyTheCommandNamed(args, factory);
        if (commandLine == null) {
            commandLine = new CommandLine(new Hato(), factory);
        }
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((failure, line, parsed) -> {
            line.getErr().println("hato: " + CliFailures.describe(failure));
            return 1;
        });
        return commandLine.execute(args);
    }

    /**
     * The {@code hato} command with only the subcommand {@code args} starts with, or null when they start with
     * none (then the whole tree is built, for the usage and for picocli's suggestions). Building the model of every
     * command by reflection took a third of a short command's start-up; the subcommands stay declared in one place,
     * the annotation above.
     */
    private static @Nullable CommandLine onlyTheCommandNamed(String[] args, CommandLine.IFactory factory) {
        if (args.length == 0) {
            return null;
        }
        Command hato = Hato.class.getAnnotation(Command.class);
        CommandLine.Model.CommandSpec root = CommandLine.Model.CommandSpec.wrapWithoutInspection(new Hato());
        root.name(hato.name()).version(hato.version()).scopeType(hato.scope());
        root.mixinStandardHelpOptions(hato.mixinStandardHelpOptions());
        root.usageMessage().description(hato.description());
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
            return new CommandLine(root, factory);
        }
        for (Class<?> type : hato.subcommands()) {
            Command command = type.getAnnotation(Command.class);
            if (command.name().equals(args[0]) || java.util.List.of(command.aliases()).contains(args[0])) {
                CommandLine commandLine = new CommandLine(root, factory);
                try {
                    commandLine.addSubcommand(factory.create(type));
                } catch (Exception e) {
                    throw new IllegalStateException("cannot create the command " + command.name(), e);
                }
                return commandLine;
            }
        }
        return null;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Gives commands the standard input the caller chose (tests pass their own). */
    private record ConsoleFactory(InputStream in) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == UserCommand.class) {
                return type.cast(new UserCommand(in));
            }
            if (type == SettingsCommand.class) {
                return type.cast(new SettingsCommand(in));
            }
            if (type == LegacyCommand.class) {
                return type.cast(new LegacyCommand(in));
            }
            if (type == MigrateCommand.class) {
                return type.cast(new MigrateCommand(in));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
