package dev.hato.smtp.session;

import dev.hato.auth.sasl.SaslEngine;
import dev.hato.delivery.DeliveryPipeline;
import dev.hato.delivery.CheckedFactsReader;
import dev.hato.inbound.InboundAuthenticator;
import dev.hato.inbound.SpamFilter;
import dev.hato.maillog.MailLog;
import java.time.Clock;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * What an SMTP session needs from the rest of Hato. {@code delivery} admits recipients and delivers accepted
 * messages (quota, loops, notifications are its business); {@code sasl} runs AUTH exchanges through the login
 * throttle and audit log, and the mechanisms it offers are the ones EHLO advertises; {@code io} runs blocking file
 * work (the spool). {@code facts} gives each received message the reader of its IMAP facts, fed as it is spooled,
 * which also checks the message against the listener's MIME limits.
 * {@code unknownRecipients} counts RCPTs to unknown users per client address (directory
 * harvesting), shared by all sessions of the server. {@code mailLog} records each message received and each
 * refusal of MAIL, RCPT, DATA, BDAT or of the content (the pipeline and the outbound queue record the rest of its
 * story).
 * {@code sendLimits} bounds the messages and recipients of logged-in senders per account and client address.
 * {@code inbound}, when set, authenticates what arrives on the MTA role from clients that did not log in (SPF, DKIM,
 * DMARC, an Authentication-Results field; see docs/inbound-authentication.md); {@code spam}, when set, judges the same
 * messages before their 250.
 */
public record SmtpServices(DeliveryPipeline delivery, SaslEngine sasl, CheckedFactsReader.Factory facts,
                           Scheduler io, Clock clock,
                           UnknownRecipients unknownRecipients, SendLimits sendLimits, MailLog mailLog,
                           @Nullable InboundAuthenticator inbound, @Nullable SpamFilter spam) {
}
