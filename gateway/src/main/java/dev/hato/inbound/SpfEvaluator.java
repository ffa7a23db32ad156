package dev.hato.inbound;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 7208 check_host() over {@link AuthDns}: every DNS lookup asynchronous; at most 10 mechanisms and modifiers
 * that query DNS (include, a, mx, ptr, exists, redirect; §4.6.4) and at most 2 void lookups per evaluation, at most
 * 10 MX or PTR names per mechanism, else permerror; the whole evaluation bounded by {@code deadline} (temperror).
 * A DNS failure is temperror, never a pass or a fail.
 */
public final class SpfEvaluator {

    static final int MAX_LOOKUPS = 10;
    static final int MAX_VOID_LOOKUPS = 2;
    static final int MAX_NAMES = 10;

    private final AuthDns dns;
    private final Duration deadline;

    public SpfEvaluator(AuthDns dns, Duration deadline) {
        this.dns = dns;
        this.deadline = deadline;
    }

    /**
     * The SPF result for a client at {@code ip} that said {@code helo} and gave {@code mailFrom} (empty: the null
     * reverse-path, then the HELO identity is checked as postmaster@helo, §2.4).
     */
    public Mono<SpfResult> check(String ip, String helo, String mailFrom) {
        boolean nullSender = mailFrom.isEmpty();
        String sender = nullSender ? "postmaster@" + helo : mailFrom;
        int at = sender.lastIndexOf('@');
        String local = at <= 0 ? "postmaster" : sender.substring(0, at);
        String domain = (at < 0 ? sender : sender.substring(at + 1)).toLowerCase(Locale.ROOT);
        String identity = nullSender ? "helo" : "mailfrom";
        String value = nullSender ? helo : mailFrom;
        byte[] address = IpAddresses.parse(ip);
        if (address == null) {
            return Mono.just(new SpfResult(SpfResult.Result.NONE, identity, domain, value, "no client address"));
        }
        boolean ipv6 = address.length == 16;
        SpfMacro.Context context = new SpfMacro.Context(sender, local, domain, domain,
                ipv6 ? ip : ipv4Text(address), ipv6, helo);
        Evaluation evaluation = new Evaluation(address, context);
        return evaluation.checkHost(domain, 0, context)
                .timeout(deadline, Mono.fromSupplier(() -> new Outcome(SpfResult.Result.TEMPERROR,
                        "no answer within " + deadline.toSeconds() + "s")))
                .map(outcome -> new SpfResult(outcome.result, identity, domain, value, outcome.reason));
    }

    private static String ipv4Text(byte[] address) {
        return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
    }

    private record Outcome(SpfResult.Result result, String reason) { }

    /** The state of one evaluation: its counters, shared by every nested include and redirect. */
    private final class Evaluation {
        private final byte[] client;
        private final SpfMacro.Context base;
        private int lookups;
        private int voids;

        Evaluation(byte[] client, SpfMacro.Context base) {
            this.client = client;
            this.base = base;
        }

        Mono<Outcome> checkHost(String domain, int depth, SpfMacro.Context context) {
            if (!validDomain(domain)) {
                return Mono.just(new Outcome(SpfResult.Result.NONE, "not a domain name"));
            }
            return dns.lookup(domain, AuthDns.Type.TXT).flatMap(answer -> {
                if (answer.temporary()) {
                    return Mono.just(new Outcome(SpfResult.Result.TEMPERROR, "DNS error looking up " + domain));
                }
                List<String> records = answer.records().stream().filter(SpfRecord::isSpf).toList();
                if (records.isEmpty()) {
                    return Mono.just(new Outcome(SpfResult.Result.NONE, "no SPF record for " + domain));
                }
                if (records.size() > 1) {
                    return Mono.just(new Outcome(SpfResult.Result.PERMERROR, "more than one SPF record for " + domain));
                }
                SpfRecord record;
                try {
                    record = SpfRecord.parse(records.get(0));
                } catch (SpfException.PermError e) {
                    return Mono.just(new Outcome(SpfResult.Result.PERMERROR, e.getMessage()));
                }
                SpfMacro.Context here = new SpfMacro.Context(context.sender(), context.localPart(),
                        context.senderDomain(), domain, context.ip(), context.ipv6(), context.helo());
                return Mono.defer(() -> directives(record, 0, here, depth))
                        .onErrorResume(SpfException.class, e -> Mono.just(new Outcome(
                                e instanceof SpfException.PermError ? SpfResult.Result.PERMERROR
                                        : SpfResult.Result.TEMPERROR, e.getMessage())));
            });
        }

        private Mono<Outcome> directives(SpfRecord record, int index, SpfMacro.Context context, int depth) {
            if (index == record.directives().size()) {
                if (record.redirect() == null) {
                    return Mono.just(new Outcome(SpfResult.Result.NEUTRAL, "no mechanism matched"));
                }
                countLookup();
                String target = SpfMacro.domainName(SpfMacro.expand(record.redirect(), context));
                if (target == null) {
                    throw new SpfException.PermError("redirect to an empty domain");
                }
                return checkHost(target, depth + 1, context).map(outcome -> outcome.result == SpfResult.Result.NONE
                        ? new Outcome(SpfResult.Result.PERMERROR, "redirect to " + target + " without SPF record")
                        : outcome);
            }
            SpfRecord.Directive directive = record.directives().get(index);
            return Mono.defer(() -> matches(directive, context, depth)).flatMap(match -> {
                if (match.result != null) {
                    return Mono.just(match.result); // an error that ends the evaluation
                }
                if (match.matched) {
                    return Mono.just(new Outcome(result(directive.qualifier()),
                            "matched " + directive.mechanism().name().toLowerCase(Locale.ROOT)
                                    + (directive.target() == null ? "" : ":" + directive.target())
                                    + " of " + context.domain()));
                }
                return directives(record, index + 1, context, depth);
            });
        }

        private record Match(boolean matched, @Nullable Outcome result) { }

        private Mono<Match> matches(SpfRecord.Directive directive, SpfMacro.Context context, int depth) {
            boolean ipv6 = client.length == 16;
            switch (directive.mechanism()) {
                case ALL:
                    return yes(true);
                case IP4:
                case IP6: {
                    byte[] network = IpAddresses.parse(directive.target());
                    return yes(network != null && IpAddresses.matches(client, network,
                            network.length == 16 ? directive.cidr6() : directive.cidr4()));
                }
                case INCLUDE: {
                    countLookup();
                    String target = target(directive, context);
                    if (depth >= MAX_LOOKUPS) {
                        throw new SpfException.PermError("includes nested too deep");
                    }
                    return checkHost(target, depth + 1, context).map(outcome -> switch (outcome.result) {
                        case PASS -> new Match(true, null);
                        case FAIL, SOFTFAIL, NEUTRAL -> new Match(false, null);
                        case TEMPERROR -> new Match(false, outcome);
                        case PERMERROR, NONE -> new Match(false, new Outcome(SpfResult.Result.PERMERROR,
                                "include:" + target + ": " + outcome.reason));
                    });
                }
                case A: {
                    countLookup();
                    String target = target(directive, context);
                    return addresses(target, ipv6).map(found -> new Match(anyMatch(found, directive), null));
                }
                case MX: {
                    countLookup();
                    String target = target(directive, context);
                    return lookup(target, AuthDns.Type.MX).flatMap(hosts -> {
                        if (hosts.size() > MAX_NAMES) {
                            throw new SpfException.PermError("more than " + MAX_NAMES + " MX records for " + target);
                        }
                        return Flux.fromIterable(hosts)
                                .concatMap(host -> dns.lookup(host, ipv6 ? AuthDns.Type.AAAA : AuthDns.Type.A))
                                .map(answer -> {
                                    if (answer.temporary()) {
                                        throw new SpfException.TempError("DNS error looking up an MX host of "
                                                + target);
                                    }
                                    return anyMatch(answer.records(), directive);
                                })
                                .any(Boolean::booleanValue)
                                .map(found -> new Match(found, null));
                    });
                }
                case PTR: {
                    countLookup();
                    String target = target(directive, context);
                    return lookup(reverseName(), AuthDns.Type.PTR).flatMap(names -> Flux.fromIterable(
                                    names.subList(0, Math.min(names.size(), MAX_NAMES)))
                            .filter(name -> name.equals(target) || name.endsWith("." + target))
                            .concatMap(name -> dns.lookup(name, ipv6 ? AuthDns.Type.AAAA : AuthDns.Type.A))
                            .any(answer -> answer.records().stream().map(IpAddresses::parse)
                                    .anyMatch(a -> a != null && java.util.Arrays.equals(a, client)))
                            .map(found -> new Match(found, null)));
                }
                case EXISTS: {
                    countLookup();
                    String target = target(directive, context);
                    return lookup(target, AuthDns.Type.A).map(found -> new Match(!found.isEmpty(), null));
                }
                default:
                    throw new IllegalStateException("unknown mechanism " + directive.mechanism());
            }
        }

        private Mono<Match> yes(boolean matched) {
            return Mono.just(new Match(matched, null));
        }

        private boolean anyMatch(List<String> addresses, SpfRecord.Directive directive) {
            for (String text : addresses) {
                byte[] address = IpAddresses.parse(text);
                if (address != null && address.length == client.length && IpAddresses.matches(client, address,
                        client.length == 16 ? directive.cidr6() : directive.cidr4())) {
                    return true;
                }
            }
            return false;
        }

        private Mono<List<String>> addresses(String target, boolean ipv6) {
            return lookup(target, ipv6 ? AuthDns.Type.AAAA : AuthDns.Type.A);
        }

        /** A counted query: temperror on failure, a void lookup counted (§4.6.4). */
        private Mono<List<String>> lookup(String name, AuthDns.Type type) {
            return dns.lookup(name, type).map(answer -> {
                if (answer.temporary()) {
                    throw new SpfException.TempError("DNS error looking up " + type + " " + name);
                }
                if (answer.empty() && ++voids > MAX_VOID_LOOKUPS) {
                    throw new SpfException.PermError("more than " + MAX_VOID_LOOKUPS + " void lookups");
                }
                return answer.records();
            });
        }

        private void countLookup() {
            if (++lookups > MAX_LOOKUPS) {
                throw new SpfException.PermError("more than " + MAX_LOOKUPS + " DNS-querying terms");
            }
        }

        private String target(SpfRecord.Directive directive, SpfMacro.Context context) {
            if (directive.target() == null) {
                return context.domain();
            }
            String name = SpfMacro.domainName(SpfMacro.expand(directive.target(), context));
            if (name == null) {
                throw new SpfException.PermError("empty target domain");
            }
            return name;
        }

        private String reverseName() {
            if (client.length == 4) {
                return (client[3] & 0xFF) + "." + (client[2] & 0xFF) + "." + (client[1] & 0xFF) + "."
                        + (client[0] & 0xFF) + ".in-addr.arpa";
            }
            String nibbles = SpfMacro.dotNibbles(base.ip());
            List<String> parts = new ArrayList<>(List.of(nibbles.split("\\.")));
            java.util.Collections.reverse(parts);
            return String.join(".", parts) + ".ip6.arpa";
        }
    }

    private static SpfResult.Result result(SpfRecord.Qualifier qualifier) {
        return switch (qualifier) {
            case PASS -> SpfResult.Result.PASS;
            case FAIL -> SpfResult.Result.FAIL;
            case SOFTFAIL -> SpfResult.Result.SOFTFAIL;
            case NEUTRAL -> SpfResult.Result.NEUTRAL;
        };
    }

    /** §4.3: a fully qualified domain name: labels of 1 to 63 octets, at most 253 in all, at least two labels. */
    static boolean validDomain(String domain) {
        if (domain.isEmpty() || domain.length() > 253 || domain.indexOf('.') < 0) {
            return false;
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty() || label.length() > 63) {
                return false;
            }
        }
        return true;
    }
}
