package dev.hato.legacy;

import dev.hato.sieve.CompileException;
import dev.hato.sieve.SieveCompiler;
import dev.hato.store.legacy.LegacyBackend;
import dev.hato.store.sieve.SieveScripts;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * A person's Sieve scripts (filters, vacation) read from the old system's ManageSieve server (RFC 5804) and stored as
 * theirs in Hato, the active one active: {@code hato settings import} and the cutover of {@code hato migrate}. A
 * script that does not compile with Hato's engine is left out and reported. Blocking.
 */
public final class SieveImport {

    private SieveImport() { }

    /**
     * Imports the scripts of {@code login} on {@code server} (logged in as {@code masterUser} acting for them, or as
     * them when null) into the account; each script imported goes to {@code imported}, each problem to
     * {@code failed}, prefixed {@code sieve: }.
     */
    public static void run(SieveScripts scripts, long accountId, LegacyBackend.Server server, SSLContext trust,
                           Duration timeout, String login, @Nullable String masterUser, String password,
                           List<String> imported, List<String> failed) {
        try (ManageSieveClient client = ManageSieveClient.connect(server.host(), server.port(),
                ManageSieveClient.Tls.valueOf(server.tls().name()), trust, timeout)) {
            client.authenticate(login, masterUser, password);
            String active = null;
            for (ManageSieveClient.Listed listed : client.list()) {
                String text = client.get(listed.name());
                String name = SieveScripts.validName(listed.name()) ? listed.name()
                        : listed.name().replaceAll("[\\p{Cntrl}/\u2028\u2029]", "_");
                try {
                    SieveCompiler.compile(text);
                } catch (CompileException refused) {
                    failed.add("sieve: " + listed.name() + " does not compile here, not imported: "
                            + refused.problems().stream().map(p -> "line " + p.at().line() + ": " + p.message())
                            .reduce((a, b) -> a + "; " + b).orElse("?"));
                    continue;
                }
                scripts.put(accountId, name, text).block();
                imported.add("sieve: " + name + (listed.active() ? " (active)" : ""));
                if (listed.active()) {
                    active = name;
                }
            }
            if (active != null) {
                scripts.activate(accountId, active).block();
            }
        } catch (IOException | RuntimeException e) {
            failed.add("sieve: " + e.getMessage());
        }
    }
}
