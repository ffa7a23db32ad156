package dev.hato.app;

import dev.hato.store.directory.Domain;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hato domain add|list|remove}. */
@Command(name = "domain", mixinStandardHelpOptions = true, description = "Manage the mail domains served here.")
final class DomainCommand {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Command(name = "add", description = "Add a domain.")
    int add(@Parameters(paramLabel = "DOMAIN") String name) {
        try (CliContext context = store.open()) {
            Domain domain = context.provisioning().addDomain(name).block();
            spec.commandLine().getOut().println("added domain " + (domain == null ? name : domain.name()));
        }
        return 0;
    }

    @Command(name = "list", description = "List the domains.")
    int list(@Option(names = "--json", description = "One JSON array of objects, for scripts.") boolean json) {
        try (CliContext context = store.open()) {
            var domains = context.provisioning().domains().block();
            List<Domain> all = domains == null ? List.of() : domains;
            if (json) {
                JsonOutput.print(spec.commandLine().getOut(),
                        all.stream().map(domain -> JsonOutput.row("name", domain.name())).toList());
            } else {
                all.forEach(domain -> spec.commandLine().getOut().println(domain.name()));
            }
        }
        return 0;
    }

    @Command(name = "remove", description = "Remove a domain that has no accounts left.")
    int remove(@Parameters(paramLabel = "DOMAIN") String name) {
        try (CliContext context = store.open()) {
            context.provisioning().removeDomain(name).block();
            spec.commandLine().getOut().println("removed domain " + name);
        }
        return 0;
    }

    @Command(name = "address-list", description = {"Show whether the people of DOMAIN are listed to one another "
            + "(their display names and addresses in webmail's address book and compose; never their auth IDs), "
            + "or switch it with --on or --off. Off unless switched on."})
    int addressList(@Parameters(paramLabel = "DOMAIN") String name,
                    @picocli.CommandLine.Option(names = "--on", description = "List the domain's people.") boolean on,
                    @picocli.CommandLine.Option(names = "--off", description = "Stop listing them.") boolean off) {
        if (on && off) {
            throw new IllegalArgumentException("give --on or --off, not both");
        }
        String domain = dev.hato.delivery.RecipientResolver.normalizeDomain(name);
        try (CliContext context = store.open()) {
            if (on || off) {
                context.store().directory().setAddressList(domain, on).block();
            }
            boolean listed = Boolean.TRUE.equals(context.store().directory().hasAddressList(domain).block());
            spec.commandLine().getOut().println("address list of " + domain + ": " + (listed ? "on" : "off"));
        }
        return 0;
    }
}
