package dev.hato.smtp.session;

import dev.hato.auth.Authenticator;
import dev.hato.delivery.RecipientResolver;
import dev.hato.store.DeliveryWriter;
import java.time.Clock;
import reactor.core.scheduler.Scheduler;

/** What an SMTP session needs from the rest of Hato; {@code io} runs blocking file work (the spool). */
public record SmtpServices(RecipientResolver recipients, Authenticator authenticator, DeliveryWriter deliveries,
                           Scheduler io, Clock clock) { }
