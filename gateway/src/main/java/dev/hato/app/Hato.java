package dev.hato.app;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
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
                TlsCommand.class})
public final class Hato implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int status = execute(args, System.in, System.out, System.err);
        if (status != ServeCommand.KEEP_RUNNING) {
            System.exit(status);
        }
    }

    /** Runs one command line; returns its exit status (or KEEP_RUNNING for a started server). */
    public static int execute(String[] args, InputStream in, PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new Hato(), new ConsoleFactory(in));
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setExecutionExceptionHandler((failure, line, parsed) -> {
            line.getErr().println("hato: " + CliFailures.describe(failure));
            return 1;
        });
        return commandLine.execute(args);
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
            return CommandLine.defaultFactory().create(type);
        }
    }
}
