package dev.hato.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hato.dkim.DkimVerdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Mono;

/**
 * SPF and DMARC, the parsers of what another domain publishes, meet a coverage-guided fuzzer (Jazzer; issue 20 item
 * 7): the record parsers, the macro expander, and the whole evaluations over a zone the fuzzer writes. An evaluation
 * must always end in a result (never an exception, a hang or a runaway allocation), within RFC 7208 §4.6.4's limits on
 * DNS queries; a DMARC evaluation must never turn an aligned pass into a fail. The input is text, so the kept seeds
 * read as what they test: the first lines are the client (for SPF: IP address, HELO name, MAIL FROM; for DMARC: the
 * From field and the SPF-authenticated domain), the rest is a zone, one record a line: {@code NAME TYPE VALUE} with
 * TYPE one of TXT, A, AAAA, MX, PTR, or {@code NAME TEMP} for a name whose lookups fail. Fuzzed by hand
 * ({@code JAZZER_FUZZ=1 mvn test -pl gateway -Dfuzz-replay.skip -Dtest=InboundFuzzTest#spf}; docs/security.md,
 * "Fuzzing"); a normal build replays {@code src/test/resources/dev/hato/inbound/InboundFuzzTestInputs/<target>/}.
 */
class InboundFuzzTest {

    /**
     * The most queries one SPF evaluation may cause: the first TXT, then at most {@link SpfEvaluator#MAX_LOOKUPS}
     * DNS-querying terms, each at most one query and, for mx and ptr, one address query for each of at most
     * {@link SpfEvaluator#MAX_NAMES} names (§4.6.4).
     */
    private static final int MAX_SPF_QUERIES = 1 + SpfEvaluator.MAX_LOOKUPS * (1 + SpfEvaluator.MAX_NAMES);

    @FuzzTest(maxDuration = "30m", maxExecutions = 10_000_000)
    void spf(FuzzedDataProvider data) {
        List<String> lines = data.consumeRemainingAsString().lines().toList();
        String ip = line(lines, 0);
        String helo = line(lines, 1);
        String mailFrom = line(lines, 2);
        Zone zone = Zone.of(lines.subList(Math.min(3, lines.size()), lines.size()));
        for (String txt : zone.allTxt()) {
            if (SpfRecord.isSpf(txt)) {
                try {
                    assertThat(SpfRecord.parse(txt).directives()).hasSizeLessThanOrEqualTo(SpfRecord.MAX_TERMS);
                } catch (SpfException.PermError expected) {
                    // a record that breaks the grammar
                }
            }
        }
        SpfResult result = new SpfEvaluator(zone, Duration.ofSeconds(10)).check(ip, helo, mailFrom)
                .block(Duration.ofSeconds(10));
        assertThat(result).isNotNull();
        assertThat(result.reason()).isNotNull();
        assertThat(zone.queries()).as("DNS queries").isLessThanOrEqualTo(MAX_SPF_QUERIES);
    }

    @FuzzTest(maxDuration = "30m", maxExecutions = 10_000_000)
    void spfMacro(FuzzedDataProvider data) {
        boolean ipv6 = data.consumeBoolean();
        String sender = data.consumeString(80);
        String helo = data.consumeString(80);
        String domain = data.consumeString(80);
        String spec = data.consumeRemainingAsString();
        int at = sender.lastIndexOf('@');
        SpfMacro.Context context = new SpfMacro.Context(sender, at < 0 ? "postmaster" : sender.substring(0, at),
                at < 0 ? sender : sender.substring(at + 1), domain, ipv6 ? "2001:db8::cb01" : "192.0.2.3", ipv6,
                helo);
        String expanded;
        try {
            expanded = SpfMacro.expand(spec, context);
        } catch (SpfException.PermError expected) {
            return;
        }
        // A macro's output is bounded, whatever the sender and domain it repeats.
        assertThat(expanded.length()).isLessThanOrEqualTo(4096 + 4 * 256);
        String name = SpfMacro.domainName(expanded);
        if (name != null) {
            assertThat(name.length()).isBetween(1, 253);
        }
    }

    @FuzzTest(maxDuration = "30m", maxExecutions = 10_000_000)
    void dmarc(FuzzedDataProvider data) {
        SpfResult.Result spfResult = data.pickValue(SpfResult.Result.values());
        boolean heloIdentity = data.consumeBoolean();
        int percentile = data.consumeInt(0, 99);
        List<String> lines = data.consumeRemainingAsString().lines().toList();
        String from = line(lines, 0);
        String spfDomain = line(lines, 1);
        List<DkimVerdict> dkim = new ArrayList<>();
        for (String domain : line(lines, 2).split(" ", 6)) {
            if (!domain.isEmpty()) {
                boolean pass = !domain.startsWith("!");
                dkim.add(new DkimVerdict(pass ? DkimVerdict.Result.PASS : DkimVerdict.Result.TEMPERROR,
                        pass ? domain : domain.substring(1), "s", null, "rsa-sha256", "abc", "fuzzed"));
            }
        }
        Zone zone = Zone.of(lines.subList(Math.min(3, lines.size()), lines.size()));
        for (String txt : zone.allTxt()) {
            DmarcRecord record = DmarcRecord.parse(txt);
            if (record != null) {
                assertThat(record.percent()).isBetween(0, 100);
            }
        }
        SpfResult spf = new SpfResult(spfResult, heloIdentity ? "helo" : "mailfrom", spfDomain, spfDomain, "fuzzed");
        DmarcResult result = new DmarcEvaluator(zone, () -> percentile).evaluate(List.of(from), spf, dkim)
                .block(Duration.ofSeconds(10));
        assertThat(result).isNotNull();
        assertThat(zone.queries()).as("DNS queries").isLessThanOrEqualTo(2);
        if (result.result() == DmarcResult.Result.FAIL) {
            // §6.6.2: an identifier that is the From domain itself is aligned in any mode; its pass is never a fail.
            String fromDomain = result.fromDomain();
            assertThat(fromDomain).isNotNull();
            boolean identicalSpfPass = spfResult == SpfResult.Result.PASS && !heloIdentity
                    && spfDomain.toLowerCase(Locale.ROOT).equals(fromDomain);
            boolean identicalDkimPass = dkim.stream().anyMatch(verdict -> verdict.result() == DkimVerdict.Result.PASS
                    && verdict.domain() != null && verdict.domain().toLowerCase(Locale.ROOT).equals(fromDomain));
            assertThat(identicalSpfPass || identicalDkimPass).as("an aligned pass judged a fail").isFalse();
            assertThat(result.disposition().ordinal()).as("disposition stricter than the policy")
                    .isLessThanOrEqualTo(result.policy().ordinal());
        }
    }

    private static String line(List<String> lines, int index) {
        return index < lines.size() ? lines.get(index) : "";
    }

    /** A zone the fuzzer wrote, served as {@link AuthDns} answers, counting the queries. */
    private static final class Zone implements AuthDns {

        private final Map<String, List<String>> records = new HashMap<>();
        private final Set<String> names = new HashSet<>();
        private final Set<String> failing = new HashSet<>();
        private final AtomicInteger queries = new AtomicInteger();

        static Zone of(List<String> lines) {
            Zone zone = new Zone();
            for (String line : lines) {
                String[] fields = line.split(" ", 3);
                String name = fields[0].toLowerCase(Locale.ROOT);
                if (fields.length == 2 && fields[1].equals("TEMP")) {
                    zone.failing.add(name);
                } else if (fields.length == 3) {
                    try {
                        Type type = Type.valueOf(fields[1]);
                        zone.names.add(name);
                        zone.records.computeIfAbsent(name + " " + type, key -> new ArrayList<>()).add(fields[2]);
                    } catch (IllegalArgumentException notAType) {
                        // a line that is not a record: ignored, as a zone file's comment would be
                    }
                }
            }
            return zone;
        }

        @Override
        public Mono<DnsAnswer> lookup(String name, Type type) {
            queries.incrementAndGet();
            String key = name.toLowerCase(Locale.ROOT);
            if (failing.contains(key)) {
                return Mono.just(DnsAnswer.temperror());
            }
            List<String> found = records.get(key + " " + type);
            if (found != null) {
                return Mono.just(DnsAnswer.found(found));
            }
            return Mono.just(names.contains(key) ? DnsAnswer.found(List.of()) : DnsAnswer.nxdomain());
        }

        List<String> allTxt() {
            List<String> txt = new ArrayList<>();
            records.forEach((key, values) -> {
                if (key.endsWith(" TXT")) {
                    txt.addAll(values);
                }
            });
            return txt;
        }

        int queries() {
            return queries.get();
        }
    }
}
