package dev.hato.smtp.session;

import dev.hato.auth.sasl.SaslEngine;
import dev.hato.delivery.RecipientResolver;
import dev.hato.dsn.ReportSender;
import dev.hato.store.mail.DeliveryWriter;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What an SMTP session needs from the rest of Hato; {@code io} runs blocking file work (the spool).
 * {@code sasl} runs AUTH exchanges through the login throttle and audit log; the mechanisms it offers are the ones
 * EHLO advertises.
 * {@code reports} sends the success notifications (RFC 3461 NOTIFY=SUCCESS) of local deliveries, and the failure
 * notifications of recipients whose quota the message would exceed. {@code quotas} gives accounts' storage quotas;
 * null delivers without looking at quotas. {@code unknownRecipients} counts RCPTs to unknown users per client
 * address (directory harvesting), shared by all sessions of the server.
 */
public record SmtpServices(RecipientResolver recipients, SaslEngine sasl, DeliveryWriter deliveries,
                           ReportSender reports, Scheduler io, Clock clock, @Nullable DeliveryQuotas quotas,
                           UnknownRecipients unknownRecipients) {

    /** Services with the default limits on unknown recipients. */
    public SmtpServices(RecipientResolver recipients, SaslEngine sasl, DeliveryWriter deliveries,
                        ReportSender reports, Scheduler io, Clock clock, @Nullable DeliveryQuotas quotas) {
        this(recipients, sasl, deliveries, reports, io, clock, quotas,
                new UnknownRecipients(UnknownRecipients.Settings.defaults(), Schedulers.parallel()));
    }

    /** Services without quota enforcement. */
    public SmtpServices(RecipientResolver recipients, SaslEngine sasl, DeliveryWriter deliveries,
                        ReportSender reports, Scheduler io, Clock clock) {
        this(recipients, sasl, deliveries, reports, io, clock, null);
    }
}
