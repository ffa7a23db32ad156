package dev.hato.managesieve.session;

import dev.hato.auth.sasl.SaslEngine;
import dev.hato.store.sieve.SieveScripts;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.scheduler.Scheduler;

/**
 * What a ManageSieve session needs from the rest of Hato. {@code sasl} is the engine SMTP, IMAP and POP3 use: it runs
 * AUTHENTICATE through the login throttle and audit log, and its mechanisms are the SASL capability. {@code scripts}
 * keeps the scripts; {@code compiler} runs the Sieve compiler, whose cost the client controls (up to a script of
 * {@link SieveScripts#MAX_SCRIPT_OCTETS}), off the event loop. {@code version} is Hato's, for IMPLEMENTATION.
 * {@code meters} counts commands ({@code hato.managesieve.commands}) and logins ({@code hato.managesieve.logins}).
 */
public record ManageSieveServices(SaslEngine sasl, SieveScripts scripts, Scheduler compiler, String version,
                                  MeterRegistry meters) { }
