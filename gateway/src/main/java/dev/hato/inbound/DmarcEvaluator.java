package dev.hato.inbound;

import dev.hato.dkim.DkimVerdict;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * RFC 7489 §6.6: the policy of the RFC5322.From domain, looked up at {@code _dmarc.<from domain>}, else at
 * {@code _dmarc.<organisational domain>} ({@link OrganizationalDomain}); SPF and DKIM identifiers aligned with the
 * From domain, relaxed (same organisational domain) or strict (equal); pass when either an SPF pass or a DKIM pass
 * is aligned. Never a wrong pass or fail: when it is not a pass and an SPF or DKIM result (or the policy lookup)
 * was a temperror, the result is temperror.
 */
public final class DmarcEvaluator {

    private final AuthDns dns;
    /** 0..99, compared with pct= (§6.6.4); a seeded or fixed source in tests. */
    private final IntSupplier percentile;

    public DmarcEvaluator(AuthDns dns, IntSupplier percentile) {
        this.dns = dns;
        this.percentile = percentile;
    }

    /**
     * @param fromFields the values of the message's From fields
     * @param spf the SPF result of the MAIL FROM (or HELO) identity
     */
    public Mono<DmarcResult> evaluate(List<String> fromFields, SpfResult spf, List<DkimVerdict> dkim) {
        if (fromFields.size() != 1) {
            return Mono.just(new DmarcResult(DmarcResult.Result.PERMERROR, null, null, DmarcRecord.Policy.NONE,
                    fromFields.isEmpty() ? "no From field" : "more than one From field"));
        }
        String from = FromDomain.of(fromFields.get(0));
        if (from == null) {
            return Mono.just(new DmarcResult(DmarcResult.Result.PERMERROR, null, null, DmarcRecord.Policy.NONE,
                    "no single domain in From"));
        }
        String organisational = OrganizationalDomain.of(from);
        return record("_dmarc." + from).flatMap(found -> {
            if (found.temporary || found.record != null || organisational.equals(from)) {
                return Mono.just(found.withSubdomain(false));
            }
            return record("_dmarc." + organisational).map(fallback -> fallback.withSubdomain(true));
        }).map(found -> decide(from, organisational, found, spf, dkim));
    }

    private record Found(@Nullable DmarcRecord record, boolean temporary, boolean atOrganisation) {
        Found withSubdomain(boolean organisation) {
            return new Found(record, temporary, organisation);
        }
    }

    private Mono<Found> record(String name) {
        return dns.lookup(name, AuthDns.Type.TXT).map(answer -> {
            if (answer.temporary()) {
                return new Found(null, true, false);
            }
            List<String> candidates = answer.records().stream().filter(DmarcRecord::isDmarc).toList();
            // §6.6.3: more than one record, or none, is no policy.
            return new Found(candidates.size() == 1 ? DmarcRecord.parse(candidates.get(0)) : null, false, false);
        });
    }

    private DmarcResult decide(String from, String organisational, Found found, SpfResult spf,
                               List<DkimVerdict> dkim) {
        if (found.temporary) {
            return new DmarcResult(DmarcResult.Result.TEMPERROR, from, null, DmarcRecord.Policy.NONE,
                    "DNS error looking up the policy");
        }
        DmarcRecord record = found.record;
        if (record == null) {
            return new DmarcResult(DmarcResult.Result.NONE, from, null, DmarcRecord.Policy.NONE, "no policy");
        }
        boolean spfAligned = spf.result() == SpfResult.Result.PASS && !"helo".equals(spf.identity())
                && aligned(spf.domain(), from, organisational, record.strictSpf());
        boolean dkimAligned = dkim.stream().anyMatch(verdict -> verdict.result() == DkimVerdict.Result.PASS
                && verdict.domain() != null && aligned(verdict.domain(), from, organisational, record.strictDkim()));
        DmarcRecord.Policy policy = found.atOrganisation && record.subdomainPolicy() != null
                ? record.subdomainPolicy() : record.policy();
        if (spfAligned || dkimAligned) {
            return new DmarcResult(DmarcResult.Result.PASS, from, policy, DmarcRecord.Policy.NONE,
                    spfAligned ? "aligned SPF" : "aligned DKIM");
        }
        boolean unsure = spf.result() == SpfResult.Result.TEMPERROR
                || dkim.stream().anyMatch(verdict -> verdict.result() == DkimVerdict.Result.TEMPERROR);
        if (unsure) {
            return new DmarcResult(DmarcResult.Result.TEMPERROR, from, policy, DmarcRecord.Policy.NONE,
                    "SPF or DKIM could not be checked");
        }
        DmarcRecord.Policy disposition = policy;
        if (record.percent() < 100 && percentile.getAsInt() >= record.percent()) {
            // §6.6.4: outside the sample, the next less strict policy applies.
            disposition = policy == DmarcRecord.Policy.REJECT ? DmarcRecord.Policy.QUARANTINE : DmarcRecord.Policy.NONE;
        }
        return new DmarcResult(DmarcResult.Result.FAIL, from, policy, disposition, "no aligned pass");
    }

    /** §3.1: strict, the same name; relaxed, the same organisational domain. */
    static boolean aligned(String identifier, String from, String fromOrganisational, boolean strict) {
        String lower = identifier.toLowerCase(Locale.ROOT);
        if (strict) {
            return lower.equals(from);
        }
        return lower.equals(from) || OrganizationalDomain.of(lower).equals(fromOrganisational);
    }
}
