package dev.hato.smtp.session;

import dev.hato.auth.Authenticator;
import dev.hato.auth.scram.ScramMechanism;
import dev.hato.delivery.DeliveryPipeline;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * What an SMTP session needs from the rest of Hato. {@code delivery} admits recipients and delivers accepted
 * messages (quota, loops, notifications are its business); {@code io} runs blocking file work (the spool).
 * {@code tokens} verifies bearer tokens (OAUTHBEARER, XOAUTH2); null when no token issuer is configured, and then
 * those mechanisms are not offered. {@code scram} runs SCRAM-SHA-256 exchanges; null leaves it unoffered.
 * {@code unknownRecipients} counts RCPTs to unknown users per client address (directory harvesting), shared by
 * all sessions of the server.
 */
public record SmtpServices(DeliveryPipeline delivery, Authenticator authenticator,
                           @Nullable Authenticator tokens, @Nullable ScramMechanism scram, Scheduler io, Clock clock,
                           UnknownRecipients unknownRecipients) {
}
