package dev.hato.dkim;

import dev.hato.store.keys.DkimKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian's dkimpy (package python3-dkim, the library behind {@code dkimverify}) as an independent verifier. The
 * public keys are handed to it through its DNS hook, so no DNS is involved. Every DKIM-Signature of the message is
 * verified, not only the first.
 */
public final class Dkimpy {

    private static final String SCRIPT = String.join("\n",
            "import os, sys, dkim",
            "records = {}",
            "for line in os.environ['HATO_DKIM_RECORDS'].splitlines():",
            "    name, text = line.split('\\t', 1)",
            "    records[name.encode()] = text.encode()",
            "def dns(name, timeout=5):",
            "    return records.get(name.rstrip(b'.'))",
            "message = sys.stdin.buffer.read()",
            "verifier = dkim.DKIM(message)",
            "count = sum(1 for n, v in verifier.headers if n.lower() == b'dkim-signature')",
            "results = [verifier.verify(idx=i, dnsfunc=dns) for i in range(count)]",
            "print(' '.join('pass' if r else 'fail' for r in results))",
            "sys.exit(0 if count > 0 and all(results) else 1)");

    private final Path interpreter;

    private Dkimpy(Path interpreter) {
        this.interpreter = interpreter;
    }

    /** dkimpy through the interpreter {@code dkimverify} runs with, when it is installed. */
    public static Optional<Dkimpy> find() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        return Stream.of(path.split(java.io.File.pathSeparator))
                .map(dir -> Path.of(dir, "dkimverify"))
                .filter(Files::isRegularFile)
                .findFirst()
                .map(Dkimpy::shebang)
                .map(Dkimpy::new);
    }

    private static Path shebang(Path script) {
        try {
            String first = Files.readAllLines(script, StandardCharsets.ISO_8859_1).get(0);
            return Path.of(first.substring(2).trim().split("\\s+")[0]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The verdict per signature ("pass pass"), and whether all passed. */
    public record Verdict(boolean passed, String output) { }

    public Verdict verify(byte[] message, List<DkimKey> keys) {
        StringBuilder records = new StringBuilder();
        for (DkimKey key : keys) {
            records.append(key.recordName()).append('\t').append(DkimRecord.text(key)).append('\n');
        }
        return verify(message, Map.of("HATO_DKIM_RECORDS", records.toString()));
    }

    /** With the records given as lines of "name TAB text" in HATO_DKIM_RECORDS. */
    public Verdict verify(byte[] message, Map<String, String> environment) {
        try {
            Path input = Files.createTempFile("hato-dkim-", ".eml");
            try {
                Files.write(input, message);
                ProcessBuilder builder = new ProcessBuilder(interpreter.toString(), "-c", SCRIPT)
                        .redirectInput(input.toFile())
                        .redirectErrorStream(true);
                builder.environment().putAll(environment);
                Process process = builder.start();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("dkimpy did not finish");
                }
                return new Verdict(process.exitValue() == 0, output);
            } finally {
                Files.deleteIfExists(input);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
