package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command and subcommand of {@code hato} answers {@code --help} with its usage and exit status 0. */
class CliHelpTest {

    @Test
    void everySubcommandShouldAnswerHelp() {
        List<List<String>> paths = new ArrayList<>();
        collect(new CommandLine(new Hato(), new UserFactory()), new ArrayList<>(), paths);
        assertThat(paths).hasSizeGreaterThan(25).contains(List.of("user", "list"), List.of("queue", "retry"));
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Hato.execute(args.toArray(String[]::new), new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            assertThat(status).as("hato %s --help: %s", String.join(" ", path), err).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8)).as(String.join(" ", path))
                    .startsWith("Usage: hato" + (path.isEmpty() ? "" : " " + String.join(" ", path)))
                    .contains("-h, --help");
        }
    }

    private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
        paths.add(List.copyOf(path));
        command.getSubcommands().forEach((name, sub) -> {
            if (!name.equals(sub.getCommandName())) {
                return; // an alias of a subcommand listed under its name
            }
            List<String> deeper = new ArrayList<>(path);
            deeper.add(name);
            collect(sub, deeper, paths);
        });
    }

    /** Commands that need standard input get an empty one; help never reads it. */
    private static final class UserFactory implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            if (type == UserCommand.class) {
                return type.cast(new UserCommand(new ByteArrayInputStream(new byte[0])));
            }
            return CommandLine.defaultFactory().create(type);
        }
    }
}
