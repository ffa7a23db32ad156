package dev.hato.app;

import dev.hato.provisioning.Provisioning;
import dev.hato.provisioning.ProvisioningException;
import dev.hato.store.Account;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hato user add|list|passwd|remove}. */
@Command(name = "user", mixinStandardHelpOptions = true,
        description = "Manage accounts. People log in with the auth ID, not with their address.")
final class UserCommand {

    private final InputStream in;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    UserCommand(InputStream in) {
        this.in = in;
    }

    @Command(name = "add", description = "Add an account and print its auth ID "
            + "(and, without --password-stdin, a generated initial password on a second line).")
    int add(@Parameters(paramLabel = "ADDRESS") String address,
            @Option(names = "--name", paramLabel = "NAME", description = "Display name.") @Nullable String name,
            @Option(names = "--auth-id", paramLabel = "ID", description = "Auth ID to use instead of a generated one.")
            @Nullable String authId,
            @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
            boolean passwordStdin) {
        String password = passwordStdin ? readPassword() : null;
        try (CliContext context = store.open()) {
            Provisioning.Created created = context.provisioning().addUser(address, name, authId, password).block();
            PrintWriter out = spec.commandLine().getOut();
            if (created != null) {
                out.println(created.account().authId());
                if (created.generatedPassword() != null) {
                    out.println("initial password: " + created.generatedPassword());
                }
            }
        }
        return 0;
    }

    @Command(name = "list", description = "List accounts: auth ID, address, display name.")
    int list(@Option(names = "--domain", paramLabel = "DOMAIN", description = "Only this domain.")
             @Nullable String domain) {
        try (CliContext context = store.open()) {
            var accounts = context.provisioning().users(domain).block();
            PrintWriter out = spec.commandLine().getOut();
            if (accounts != null) {
                for (Account account : accounts) {
                    out.println(account.authId() + "\t" + account.address() + "\t" + account.displayName());
                }
            }
        }
        return 0;
    }

    @Command(name = "passwd", description = "Set an account's password (read from standard input).")
    int passwd(@Parameters(paramLabel = "AUTH_ID") String authId,
               @Option(names = "--password-stdin", required = true,
                       description = "Read the new password from the first line of standard input.")
               boolean passwordStdin) {
        String password = readPassword();
        try (CliContext context = store.open()) {
            context.provisioning().setPassword(authId, password).block();
            spec.commandLine().getOut().println("password changed for " + authId);
        }
        return 0;
    }

    @Command(name = "remove", description = "Remove an account with all its mail.")
    int remove(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String account) {
        try (CliContext context = store.open()) {
            context.provisioning().removeUser(account).block();
            spec.commandLine().getOut().println("removed account " + account);
        }
        return 0;
    }

    private String readPassword() {
        try {
            String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new ProvisioningException("no password on standard input");
            }
            return line;
        } catch (IOException e) {
            throw new ProvisioningException("cannot read the password from standard input: " + e.getMessage());
        }
    }
}
