package dev.hato.app;

import dev.hato.dkim.DkimAlgorithm;
import dev.hato.dkim.DkimKeyGenerator;
import dev.hato.dkim.DkimRecord;
import dev.hato.store.keys.DkimKey;
import dev.hato.store.keys.DkimKeys;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hato dkim keygen|list|show|activate|remove}: DKIM signing keys, one or more per domain, and the DNS TXT
 * records that publish them (docs/dkim.md). A running server uses a new or changed key within
 * {@code hato.dkim.key-cache-ttl}.
 */
@Command(name = "dkim", mixinStandardHelpOptions = true,
        description = "Manage the DKIM keys outgoing mail is signed with, and print their DNS records.")
final class DkimCommand {

    private static final DateTimeFormatter DAY = DateTimeFormatter.BASIC_ISO_DATE;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    StoreOptions store = new StoreOptions();

    @Command(name = "keygen", description = {"Generate and store a key for DOMAIN, then print the TXT record to "
            + "publish in DNS.", "The key signs from now on (at most one active key per domain and algorithm: it "
            + "replaces the active key of its algorithm), unless --inactive."})
    int keygen(@Parameters(paramLabel = "DOMAIN") String domain,
               @Option(names = "--selector", paramLabel = "S",
                       description = "Selector (default: <algorithm>-<yyyymmdd>, e.g. rsa-20261129).")
               @Nullable String selector,
               @Option(names = "--algorithm", paramLabel = "rsa|ed25519", defaultValue = "rsa",
                       description = "rsa (rsa-sha256, default) or ed25519 (ed25519-sha256, RFC 8463).")
               String algorithmName,
               @Option(names = "--bits", paramLabel = "N", defaultValue = "2048",
                       description = "RSA key size, 1024 to 4096 (default ${DEFAULT-VALUE}).") int bits,
               @Option(names = "--inactive", description = "Store the key without signing with it yet "
                       + "(for a rotation: publish the record, wait for DNS, then `hato dkim activate`).")
               boolean inactive) {
        // Everything is checked, and the key made, before the store is opened: a typo costs nothing.
        DkimAlgorithm algorithm = DkimAlgorithm.of(algorithmName);
        Instant now = Instant.now();
        String chosen = selector != null ? selector
                : algorithm.keyType() + "-" + LocalDate.ofInstant(now, ZoneOffset.UTC).format(DAY);
        DkimKey key = new DkimKeyGenerator(new SecureRandom())
                .generate(domain, chosen, algorithm, bits, now.truncatedTo(ChronoUnit.SECONDS), !inactive);
        try (CliContext context = store.open()) {
            DkimKey stored = keys(context).add(key).block();
            spec.commandLine().getOut().println(DkimRecord.zoneLine(stored == null ? key : stored));
        }
        spec.commandLine().getErr().println(inactive
                ? "stored inactive; publish the record above, then: hato dkim activate " + key.domain() + " "
                        + key.selector()
                : "active: mail from " + key.domain() + " is signed with it from now on; publish the record above");
        return 0;
    }

    @Command(name = "list", description = "List the keys: domain, selector, algorithm, active or inactive, created.")
    int list(@Parameters(paramLabel = "DOMAIN", arity = "0..1") @Nullable String domain,
             @Option(names = "--json", description = "One JSON array of objects, for scripts.") boolean json) {
        try (CliContext context = store.open()) {
            List<DkimKey> all = keys(context).keys(domain).collectList().block();
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                JsonOutput.print(out, (all == null ? List.<DkimKey>of() : all).stream().map(key -> JsonOutput.row(
                        "domain", key.domain(), "selector", key.selector(), "algorithm", key.algorithm().toString(),
                        "active", key.active(), "created", key.created())).toList());
                return 0;
            }
            for (DkimKey key : all == null ? List.<DkimKey>of() : all) {
                out.println(key.domain() + "\t" + key.selector() + "\t" + key.algorithm() + "\t"
                        + (key.active() ? "active" : "inactive") + "\t" + key.created());
            }
        }
        return 0;
    }

    @Command(name = "show", description = "Print the TXT records of DOMAIN's keys (or of the one SELECTOR).")
    int show(@Parameters(index = "0", paramLabel = "DOMAIN") String domain,
             @Parameters(index = "1", paramLabel = "SELECTOR", arity = "0..1") @Nullable String selector) {
        String name = DkimKey.dnsName(domain, "domain");
        String wanted = selector == null ? null : DkimKey.dnsName(selector, "selector");
        try (CliContext context = store.open()) {
            List<DkimKey> found = keys(context).keys(name)
                    .filter(key -> wanted == null || key.selector().equals(wanted))
                    .collectList().block();
            if (found == null || found.isEmpty()) {
                throw new IllegalArgumentException("no DKIM key for " + name
                        + (wanted == null ? "" : " with selector " + wanted) + " (hato dkim keygen " + name + ")");
            }
            found.forEach(key -> spec.commandLine().getOut().println(DkimRecord.zoneLine(key)));
        }
        return 0;
    }

    @Command(name = "activate", description = "Sign with this key from now on, retiring the active key of its "
            + "algorithm (the last step of a rotation).")
    int activate(@Parameters(index = "0", paramLabel = "DOMAIN") String domain,
                 @Parameters(index = "1", paramLabel = "SELECTOR") String selector) {
        try (CliContext context = store.open()) {
            DkimKey key = keys(context).activate(domain, selector).block();
            spec.commandLine().getOut().println("activated " + (key == null ? selector : key.recordName()));
        }
        return 0;
    }

    @Command(name = "remove", description = "Remove a key; mail is no longer signed with it.")
    int remove(@Parameters(index = "0", paramLabel = "DOMAIN") String domain,
               @Parameters(index = "1", paramLabel = "SELECTOR") String selector) {
        try (CliContext context = store.open()) {
            keys(context).remove(domain, selector).block();
            spec.commandLine().getOut().println("removed " + DkimKey.dnsName(selector, "selector") + "._domainkey."
                    + DkimKey.dnsName(domain, "domain"));
        }
        return 0;
    }

    private static DkimKeys keys(CliContext context) {
        return context.store().dkimKeys();
    }
}
