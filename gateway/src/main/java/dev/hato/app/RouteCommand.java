package dev.hato.app;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Domain;
import dev.hato.store.legacy.LegacyBackends;
import dev.hato.store.legacy.Route;
import dev.hato.store.legacy.RouteEntry;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato route}: where each person is served during a migration (issue 17). {@code legacy NAME}: their IMAP and
 * POP3 logins to Hato are passed on to the old system NAME; {@code syncing}: Hato serves them while their mail is
 * copied; {@code local}: Hato alone. A domain has a default for everyone in it without a route of their own.
 */
@Command(name = "route", mixinStandardHelpOptions = true,
        description = "Set and show where people are served during a migration: an old system or Hato.")
final class RouteCommand {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Command(name = "set", description = {
            "Set a person's route (AUTH_ID_OR_ADDRESS), or with --domain the default of everyone in DOMAIN without "
                    + "one of their own.",
            "ROUTE: legacy NAME (the old system NAME serves them: logins are passed on to it), local (Hato serves "
                    + "them), syncing (Hato serves them while their mail is copied), or, for a person, default "
                    + "(their domain's)."})
    int set(@Option(names = "--domain", paramLabel = "DOMAIN", description = "Set the domain's default.")
            @Nullable String domain,
            @Option(names = "--migrate-on-login", description = "With --domain and legacy NAME: the first login of "
                    + "each person who follows this default (by IMAP or POP3 through Hato) starts their migration "
                    + "in the server, moves them once verified, and tells them (hato migrate start "
                    + "--cutover-when-verified --notify).") boolean migrateOnLogin,
            @Parameters(paramLabel = "[AUTH_ID_OR_ADDRESS] ROUTE [NAME]", arity = "1..3") List<String> words) {
        List<String> rest = words;
        String who = null;
        if (domain == null) {
            if (words.size() < 2) {
                throw new IllegalArgumentException("give a person (auth ID or address) and a route, or --domain");
            }
            who = words.get(0);
            rest = words.subList(1, words.size());
        }
        String kind = rest.get(0).toLowerCase(Locale.ROOT);
        if (kind.equals("legacy") != (rest.size() == 2)) {
            throw new IllegalArgumentException(kind.equals("legacy") ? "legacy needs the old system's NAME"
                    : "unexpected " + String.join(" ", rest.subList(1, rest.size())) + " after " + kind);
        }
        if (migrateOnLogin && (domain == null || !kind.equals("legacy"))) {
            throw new IllegalArgumentException("--migrate-on-login goes with --domain DOMAIN legacy NAME");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (CliContext context = store.open()) {
            LegacyBackends backends = context.store().legacyBackends();
            if (domain != null) {
                Domain target = findDomain(context, domain);
                String backend = switch (kind) {
                    case "legacy" -> rest.get(1);
                    case "local" -> null;
                    default -> throw new IllegalArgumentException("a domain's default is legacy NAME or local, not "
                            + kind);
                };
                backends.setDomainRoute(target.id(), backend).block();
                if (backend != null) {
                    backends.setMigrateOnLogin(target.id(), migrateOnLogin).block();
                }
                out.println("default route of " + target.name() + ": "
                        + (backend == null ? "local" : Route.legacy(backend).label())
                        + (migrateOnLogin ? " (migrate on login)" : ""));
                return 0;
            }
            Account account = UserCommand.findAccount(context, who);
            Route route = switch (kind) {
                case "legacy" -> Route.legacy(rest.get(1));
                case "local" -> Route.LOCAL;
                case "syncing" -> Route.SYNCING;
                case "default" -> null;
                default -> throw new IllegalArgumentException("a route is legacy NAME, local, syncing or default, "
                        + "not " + kind);
            };
            backends.setRoute(account.id(), route).block();
            out.println("route of " + account.address() + ": " + backends.route(account.id()).block().label()
                    + (route == null ? " (their domain's)" : ""));
        }
        return 0;
    }

    @Command(name = "list", description = "The routes set: each domain's default, then each person's own.")
    int list() {
        PrintWriter out = spec.commandLine().getOut();
        try (CliContext context = store.open()) {
            List<RouteEntry> entries = context.store().legacyBackends().routes().collectList().block();
            if (entries == null || entries.isEmpty()) {
                out.println("no routes set: Hato serves everyone");
                return 0;
            }
            for (RouteEntry entry : entries) {
                out.println((entry.address() == null ? "domain " + entry.domain() : entry.address()) + "\t"
                        + entry.route().label() + (entry.migrateOnLogin() ? "\tmigrate on login" : ""));
            }
        }
        return 0;
    }

    @Command(name = "show", description = "The route that serves a person now: their own, else their domain's.")
    int show(@Parameters(paramLabel = "AUTH_ID_OR_ADDRESS") String who) {
        try (CliContext context = store.open()) {
            Account account = UserCommand.findAccount(context, who);
            Route route = context.store().legacyBackends().route(account.id()).block();
            spec.commandLine().getOut().println(account.address() + "\t" + (route == null ? "local" : route.label()));
        }
        return 0;
    }

    static Domain findDomain(CliContext context, String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        Domain domain = context.store().directory().domains().filter(d -> d.name().equals(wanted)).next().block();
        if (domain == null) {
            throw new IllegalArgumentException("no domain " + wanted);
        }
        return domain;
    }
}
