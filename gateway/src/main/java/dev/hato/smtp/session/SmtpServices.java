package dev.hato.smtp.session;

import dev.hato.auth.Authenticator;
import dev.hato.auth.scram.ScramMechanism;
import dev.hato.delivery.RecipientResolver;
import dev.hato.dsn.ReportSender;
import dev.hato.store.DeliveryWriter;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * What an SMTP session needs from the rest of Hato; {@code io} runs blocking file work (the spool).
 * {@code tokens} verifies bearer tokens (OAUTHBEARER, XOAUTH2); null when no token issuer is configured, and then
 * those mechanisms are not offered. {@code scram} runs SCRAM-SHA-256 exchanges; null leaves it unoffered.
 * {@code reports} sends the success notifications (RFC 3461 NOTIFY=SUCCESS) of local deliveries.
 */
public record SmtpServices(RecipientResolver recipients, Authenticator authenticator,
                           @Nullable Authenticator tokens, @Nullable ScramMechanism scram, DeliveryWriter deliveries,
                           ReportSender reports, Scheduler io, Clock clock) { }
