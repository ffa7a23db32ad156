package dev.hato.app;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** One {@code hato} command run in-process against a data directory, as an operator would type it. */
record CliRun(int status, String out, String err) {

    /** {@code hato ARGS --data-dir DATA_DIR}, with {@code stdin} as standard input. */
    static CliRun of(Path dataDir, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--data-dir";
        all[args.length + 1] = dataDir.toString();
        int status = Hato.execute(all, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The lines of standard output (none for an empty output). */
    List<String> lines() {
        return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }
}
