package dev.hato.app;

import dev.hato.store.Domain;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hato domain add|list|remove}. */
@Command(name = "domain", mixinStandardHelpOptions = true, description = "Manage the mail domains served here.")
final class DomainCommand {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Properties file with hato.* settings.")
    @Nullable Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", scope = picocli.CommandLine.ScopeType.INHERIT,
            description = "Data directory (default ./hato-data).")
    @Nullable Path dataDir;

    @Command(name = "add", description = "Add a domain.")
    int add(@Parameters(paramLabel = "DOMAIN") String name) {
        try (CliContext context = CliContext.open(config, dataDir)) {
            Domain domain = context.provisioning().addDomain(name).block();
            spec.commandLine().getOut().println("added domain " + (domain == null ? name : domain.name()));
        }
        return 0;
    }

    @Command(name = "list", description = "List the domains.")
    int list() {
        try (CliContext context = CliContext.open(config, dataDir)) {
            var domains = context.provisioning().domains().block();
            if (domains != null) {
                domains.forEach(domain -> spec.commandLine().getOut().println(domain.name()));
            }
        }
        return 0;
    }

    @Command(name = "remove", description = "Remove a domain that has no accounts left.")
    int remove(@Parameters(paramLabel = "DOMAIN") String name) {
        try (CliContext context = CliContext.open(config, dataDir)) {
            context.provisioning().removeDomain(name).block();
            spec.commandLine().getOut().println("removed domain " + name);
        }
        return 0;
    }
}
