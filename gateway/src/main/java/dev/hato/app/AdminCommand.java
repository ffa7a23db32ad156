package dev.hato.app;

import dev.hato.store.admin.Administrators;
import dev.hato.store.directory.Account;
import java.io.PrintWriter;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato admin}: who administers what. A domain's administrators (a department's, a lab's) see and manage
 * that domain in the web UI's admin area ({@code /admin}); site administrators every domain.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Grant, revoke and list administrators: of a domain (--domain) or of the whole site (--site).")
final class AdminCommand {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    /** What a grant is for: one domain, or the site. */
    static final class Scope {
        @Option(names = "--domain", paramLabel = "DOMAIN", required = true,
                description = "Administrator of DOMAIN (its people, their migration).")
        @Nullable String domain;

        @Option(names = "--site", required = true, description = "Administrator of every domain.")
        boolean site;
    }

    @Command(name = "grant", description = "Make a person (auth ID or address) an administrator of a domain or of "
            + "the site.")
    int grant(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who,
              @ArgGroup(multiplicity = "1") Scope scope) {
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            Long domainId = scope.site ? null : RouteCommand.findDomain(context, scope.domain).id();
            boolean added = Boolean.TRUE.equals(context.store().administrators().grant(account.id(), domainId)
                    .block());
            spec.commandLine().getOut().println(account.address() + (added ? " is now" : " was already")
                    + " an administrator of " + what(scope));
        }
        return 0;
    }

    @Command(name = "revoke", description = "Take a person's administration of a domain or of the site back.")
    int revoke(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who,
               @ArgGroup(multiplicity = "1") Scope scope) {
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            Long domainId = scope.site ? null : RouteCommand.findDomain(context, scope.domain).id();
            boolean removed = Boolean.TRUE.equals(context.store().administrators().revoke(account.id(), domainId)
                    .block());
            if (!removed) {
                throw new IllegalArgumentException(account.address() + " is not an administrator of "
                        + what(scope));
            }
            spec.commandLine().getOut().println(account.address() + " is no longer an administrator of "
                    + what(scope));
        }
        return 0;
    }

    @Command(name = "list", description = "Every administrator: of the site, then of each domain.")
    int list() {
        PrintWriter out = spec.commandLine().getOut();
        try (CliContext context = store.open()) {
            List<Administrators.Grant> grants = context.store().administrators().grants().collectList().block();
            if (grants == null || grants.isEmpty()) {
                out.println("no administrators (hato admin grant ADDRESS --domain DOMAIN | --site)");
                return 0;
            }
            for (Administrators.Grant grant : grants) {
                out.println(grant.address() + "\t" + (grant.domain() == null ? "site" : grant.domain()));
            }
        }
        return 0;
    }

    private static String what(Scope scope) {
        return scope.site ? "the site" : scope.domain;
    }
}
