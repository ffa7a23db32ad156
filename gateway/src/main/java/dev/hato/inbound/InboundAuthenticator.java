package dev.hato.inbound;

import dev.hato.dkim.ArcVerdict;
import dev.hato.dkim.DkimVerdict;
import dev.hato.dkim.DkimVerifier;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Inbound authentication of mail arriving on the MTA port: SPF (RFC 7208) of the MAIL FROM (or HELO) identity,
 * DKIM (RFC 6376) verification, DMARC (RFC 7489), written into one Authentication-Results field (RFC 8601).
 * One {@link Check} per message: it is started when the content begins (SPF runs while the content arrives), fed
 * the content as it arrives in the same pass that spools it (DKIM body hashes; forged Authentication-Results renamed),
 * and finished at its end. Every DNS answer comes through {@link AuthDns}, asynchronous; nothing here blocks.
 */
public final class InboundAuthenticator {

    private final InboundSettings settings;
    private final SpfEvaluator spf;
    private final DkimVerifier dkim;
    private final DmarcEvaluator dmarc;
    private final DmarcModes modes;

    public InboundAuthenticator(InboundSettings settings, AuthDns dns, Clock clock, int maxHeaderOctets) {
        this(settings, dns, clock, maxHeaderOctets, DmarcModes.ENFORCE_ALL);
    }

    /** {@code modes}: how each local domain treats a DMARC failure (with settings.enforceDmarc()). */
    public InboundAuthenticator(InboundSettings settings, AuthDns dns, Clock clock, int maxHeaderOctets,
                                DmarcModes modes) {
        this.settings = settings;
        this.modes = modes;
        this.spf = new SpfEvaluator(dns, settings.deadline());
        this.dkim = new DkimVerifier(name -> dns.lookup(name, AuthDns.Type.TXT).flatMap(answer -> answer.temporary()
                ? Mono.error(new IllegalStateException("DNS error looking up " + name))
                : Mono.just(answer.records())), clock, settings.maxSignatures(), maxHeaderOctets);
        this.dmarc = new DmarcEvaluator(dns, () -> ThreadLocalRandom.current().nextInt(100));
    }

    public InboundSettings settings() {
        return settings;
    }

    /** Starts the checks of one message from {@code clientIp}, which said {@code helo} and MAIL FROM:{@code mailFrom}. */
    public Check start(String clientIp, String helo, String mailFrom) {
        return new Check(clientIp, helo, mailFrom);
    }

    /** The checks of one message, fed from one thread at a time. */
    public final class Check {
        private final @Nullable Mono<SpfResult> spfResult;
        private final DkimVerifier.@Nullable Verification verification;
        private final ForgedResultsFilter forged = new ForgedResultsFilter(settings.authservId());

        private Check(String clientIp, String helo, String mailFrom) {
            if (settings.spf() || settings.dmarc()) {
                Mono<SpfResult> pending = spf.check(clientIp, helo, mailFrom)
                        .onErrorResume(error -> Mono.just(new SpfResult(SpfResult.Result.TEMPERROR,
                                mailFrom.isEmpty() ? "helo" : "mailfrom", "", mailFrom.isEmpty() ? helo : mailFrom,
                                "internal error")))
                        .cache();
                pending.subscribe(); // runs while the content arrives
                this.spfResult = pending;
            } else {
                this.spfResult = null;
            }
            this.verification = settings.dkim() || settings.dmarc() || settings.arc() ? dkim.start() : null;
        }

        /**
         * Takes a piece of the client's content (the octets as sent, after dot-unstuffing) and returns what to spool:
         * the same octets, with forged Authentication-Results fields renamed.
         */
        public ByteBuffer update(ByteBuffer content) {
            if (verification != null) {
                verification.update(content);
            }
            return forged.filter(content);
        }

        /** Octets held back by the renaming filter, to spool when the content has ended (usually none). */
        public ByteBuffer rest() {
            return forged.finish();
        }

        /** The verdict, once the content has ended, as every recipient's domain enforced DMARC; never errors. */
        public Mono<InboundVerdict> finish() {
            return finish(List.of());
        }

        /**
         * The verdict, once the content has ended, for a message to {@code recipients}, whose domains decide how a
         * DMARC failure is treated ({@link DmarcModes}); never errors.
         */
        public Mono<InboundVerdict> finish(List<String> recipients) {
            DmarcModes.Mode mode = modes.of(recipients);
            Mono<SpfResult> spfMono = spfResult == null ? Mono.just(new SpfResult(SpfResult.Result.NONE, "mailfrom",
                    "", "", "not checked")) : spfResult;
            Mono<List<DkimVerdict>> dkimMono = verification == null ? Mono.just(List.of()) : verification.finish();
            return Mono.zip(spfMono, dkimMono).flatMap(results -> {
                SpfResult spfDone = results.getT1();
                List<DkimVerdict> dkimDone = results.getT2();
                Mono<ArcVerdict> arcMono = settings.arc() && verification != null ? verification.finishArc()
                        : Mono.just(new ArcVerdict(ArcVerdict.Result.NONE, 0, ""));
                return arcMono.flatMap(arcDone -> finish(spfDone, dkimDone, settings.arc() ? arcDone : null,
                        mode));
            }).timeout(settings.deadline().multipliedBy(2), Mono.fromSupplier(() -> new InboundVerdict(
                    AuthenticationResults.field(settings.authservId(), null, null, new DmarcResult(
                            DmarcResult.Result.TEMPERROR, null, null, DmarcRecord.Policy.NONE, "checks timed out")),
                    settings.deferOnTemperror() ? InboundVerdict.Action.DEFER : InboundVerdict.Action.ACCEPT,
                    "451 4.7.0 Message authentication could not be completed, try again later")));
        }

        private Mono<InboundVerdict> finish(SpfResult spfDone, List<DkimVerdict> dkimDone,
                                            @Nullable ArcVerdict arcDone, DmarcModes.Mode mode) {
            Mono<DmarcResult> dmarcMono = settings.dmarc() && verification != null
                    ? dmarc.evaluate(verification.fieldValues("from"), spfDone, dkimDone)
                    : Mono.empty();
            return dmarcMono.map(done -> verdict(spfDone, dkimDone, done, arcDone, mode))
                    .switchIfEmpty(Mono.fromSupplier(() -> verdict(spfDone, dkimDone, null, arcDone, mode)));
        }

        private InboundVerdict verdict(SpfResult spfDone, List<DkimVerdict> dkimDone, @Nullable DmarcResult dmarcDone,
                                       @Nullable ArcVerdict arcDone, DmarcModes.Mode mode) {
            byte[] field = AuthenticationResults.field(settings.authservId(), settings.spf() ? spfDone : null,
                    settings.dkim() ? dkimDone : null, dmarcDone, arcDone);
            if (dmarcDone == null) {
                return new InboundVerdict(field, InboundVerdict.Action.ACCEPT, "");
            }
            if (dmarcDone.result() == DmarcResult.Result.FAIL && settings.enforceDmarc()
                    && mode != DmarcModes.Mode.MONITOR) {
                return switch (dmarcDone.disposition()) {
                    case REJECT -> mode == DmarcModes.Mode.QUARANTINE
                            ? new InboundVerdict(field, InboundVerdict.Action.QUARANTINE, "")
                            : new InboundVerdict(field, InboundVerdict.Action.REJECT, "550 5.7.1 Message refused:"
                            + " DMARC policy of " + dmarcDone.fromDomain() + " (RFC 7489): not authenticated");
                    case QUARANTINE -> new InboundVerdict(field, InboundVerdict.Action.QUARANTINE, "");
                    case NONE -> new InboundVerdict(field, InboundVerdict.Action.ACCEPT, "");
                };
            }
            if (dmarcDone.result() == DmarcResult.Result.TEMPERROR && settings.deferOnTemperror()
                    && dmarcDone.policy() != DmarcRecord.Policy.NONE) {
                return new InboundVerdict(field, InboundVerdict.Action.DEFER,
                        "451 4.7.0 Message authentication could not be completed (DNS), try again later");
            }
            return new InboundVerdict(field, InboundVerdict.Action.ACCEPT, "");
        }
    }
}
