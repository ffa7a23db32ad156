package dev.hato.app;

import dev.hato.delivery.RecipientResolver;
import dev.hato.store.directory.Alias;
import dev.hato.store.directory.CatchAll;
import dev.hato.store.directory.Forwarding;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hato alias add|list|remove|catch-all|forward}: addresses that are not (only) accounts. */
@Command(name = "alias", mixinStandardHelpOptions = true,
        description = "Manage aliases, per-domain catch-alls and forwarding of accounts.")
final class AliasCommand {

    /** Enough to refuse typos (no '@', spaces, brackets); the domain's own server decides the rest. */
    private static final Pattern ADDRESS = Pattern.compile("[^@\\s<>\"]+@[^@\\s<>\"]+");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Command(name = "add", description = "Add targets (local accounts, other aliases or addresses elsewhere) to "
            + "an alias of a local domain, creating it if needed.")
    int add(@Parameters(index = "0", paramLabel = "ALIAS") String alias,
            @Parameters(index = "1..*", arity = "1..*", paramLabel = "TARGET") List<String> targets) {
        String address = address(alias);
        List<String> normalized = targets.stream().map(this::target).toList();
        try (CliContext context = store.open()) {
            Alias result = context.store().addresses().addAlias(address, normalized).block();
            if (result != null) {
                spec.commandLine().getOut().println(line(result));
            }
        }
        return 0;
    }

    @Command(name = "list", description = "List aliases, forwarding accounts and catch-alls.")
    int list(@Parameters(arity = "0..1", paramLabel = "DOMAIN", description = "Only this domain.")
             @Nullable String domain, @Option(names = "--json", description = "One JSON array of objects, for scripts.") boolean json) {
        String only = domain == null ? null : RecipientResolver.normalizeDomain(domain);
        try (CliContext context = store.open()) {
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JsonOutput.print(out, rows(context, only));
                return 0;
            }
            for (Alias alias : context.store().addresses().aliases(only).collectList().block()) {
                out.println(line(alias));
            }
            for (Forwarding forwarding : context.store().addresses().forwardings(only).collectList().block()) {
                out.println(forwarding.address() + " -> " + String.join(", ", forwarding.targets())
                        + (forwarding.keepCopy() ? " (forwarding, keeps a copy)" : " (forwarding)"));
            }
            for (CatchAll catchAll : context.store().addresses().catchAlls().collectList().block()) {
                if (only == null || only.equals(catchAll.domain())) {
                    out.println("*@" + catchAll.domain() + " -> " + catchAll.target() + " (catch-all)");
                }
            }
        }
        return 0;
    }

    /** {@code --json}: aliases, forwarding accounts and catch-alls, each with its kind. */
    private static List<Map<String, Object>> rows(CliContext context, @Nullable String only) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Alias alias : context.store().addresses().aliases(only).collectList().block()) {
            rows.add(JsonOutput.row("kind", "alias", "address", alias.address(), "targets", alias.targets()));
        }
        for (Forwarding forwarding : context.store().addresses().forwardings(only).collectList().block()) {
            rows.add(JsonOutput.row("kind", "forwarding", "address", forwarding.address(), "targets",
                    forwarding.targets(), "keep_copy", forwarding.keepCopy()));
        }
        for (CatchAll catchAll : context.store().addresses().catchAlls().collectList().block()) {
            if (only == null || only.equals(catchAll.domain())) {
                rows.add(JsonOutput.row("kind", "catch-all", "address", "*@" + catchAll.domain(), "targets",
                        List.of(catchAll.target())));
            }
        }
        return rows;
    }

    @Command(name = "remove", description = "Remove one target of an alias, or the whole alias.")
    int remove(@Parameters(index = "0", paramLabel = "ALIAS") String alias,
               @Parameters(index = "1", arity = "0..1", paramLabel = "TARGET") @Nullable String target) {
        String address = address(alias);
        try (CliContext context = store.open()) {
            context.store().addresses().removeAlias(address, target == null ? null : target(target)).block();
            spec.commandLine().getOut().println(target == null ? "removed alias " + address
                    : "removed " + target(target) + " from " + address);
        }
        return 0;
    }

    @Command(name = "catch-all", description = "Send mail for unknown addresses of DOMAIN to TARGET "
            + "(off by default), or switch that off with --off.")
    int catchAll(@Parameters(index = "0", paramLabel = "DOMAIN") String domain,
                 @Parameters(index = "1", arity = "0..1", paramLabel = "TARGET") @Nullable String target,
                 @Option(names = "--off", description = "Refuse unknown addresses again (550 5.1.1).") boolean off) {
        if (off == (target != null)) {
            throw new IllegalArgumentException("give either a TARGET or --off");
        }
        String name = RecipientResolver.normalizeDomain(domain);
        try (CliContext context = store.open()) {
            context.store().addresses().setCatchAll(name, off ? null : target(target)).block();
            spec.commandLine().getOut().println(off ? "catch-all of " + name + " is off"
                    : "unknown addresses of " + name + " go to " + target(target));
        }
        return 0;
    }

    @Command(name = "forward", description = "Forward an account's mail to TARGETs (with --keep-copy it also "
            + "keeps a copy), or stop forwarding with --off.")
    int forward(@Parameters(index = "0", paramLabel = "AUTH_ID_OR_ADDRESS") String account,
                @Parameters(index = "1..*", arity = "0..*", paramLabel = "TARGET") @Nullable List<String> targets,
                @Option(names = "--keep-copy", description = "Keep a copy in the account's INBOX.") boolean keepCopy,
                @Option(names = "--off", description = "Stop forwarding.") boolean off) {
        List<String> list = targets == null ? List.of() : targets.stream().map(this::target).toList();
        if (off == !list.isEmpty()) {
            throw new IllegalArgumentException("give either TARGETs or --off");
        }
        try (CliContext context = store.open()) {
            Forwarding forwarding = context.store().addresses()
                    .setForwarding(RecipientResolver.normalize(account), list, off || keepCopy).block();
            spec.commandLine().getOut().println(off || forwarding == null ? "forwarding of " + account + " is off"
                    : forwarding.address() + " -> " + String.join(", ", forwarding.targets())
                    + (forwarding.keepCopy() ? " (keeps a copy)" : ""));
        }
        return 0;
    }

    private String address(String text) {
        String trimmed = text.trim();
        if (!ADDRESS.matcher(trimmed).matches()) {
            throw new IllegalArgumentException("not an address: " + text);
        }
        return RecipientResolver.normalize(trimmed);
    }

    /**
     * A target as mail will be sent to it: the local part as written (RFC 5321 §2.4: another server's local parts
     * may be case-sensitive), the domain lower-case in ASCII. Hato's own addresses still match case-insensitively.
     */
    private String target(String text) {
        address(text);
        return RecipientResolver.withNormalizedDomain(text.trim());
    }

    private static String line(Alias alias) {
        return alias.address() + " -> " + String.join(", ", alias.targets());
    }
}
