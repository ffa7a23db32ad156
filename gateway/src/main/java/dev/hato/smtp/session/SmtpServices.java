package dev.hato.smtp.session;

import dev.hato.auth.sasl.SaslEngine;
import dev.hato.delivery.DeliveryPipeline;
import dev.hato.store.mail.FactsReader;
import java.time.Clock;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/**
 * What an SMTP session needs from the rest of Hato. {@code delivery} admits recipients and delivers accepted
 * messages (quota, loops, notifications are its business); {@code sasl} runs AUTH exchanges through the login
 * throttle and audit log, and the mechanisms it offers are the ones EHLO advertises; {@code io} runs blocking file
 * work (the spool). {@code facts} gives each received message the reader of its IMAP facts, fed as it is spooled.
 * {@code unknownRecipients} counts RCPTs to unknown users per client address (directory
 * harvesting), shared by all sessions of the server.
 */
public record SmtpServices(DeliveryPipeline delivery, SaslEngine sasl, Supplier<? extends FactsReader> facts,
                           Scheduler io, Clock clock,
                           UnknownRecipients unknownRecipients) {
}
