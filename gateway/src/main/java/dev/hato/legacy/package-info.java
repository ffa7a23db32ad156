/**
 * Talking to the old mail system a site moves from (issues 16 and 17): a ManageSieve client that reads people's
 * scripts, probes of its servers, and readers of the files the old system kept (.forward) — blocking clients for the
 * command line, never run on an event loop — and {@link dev.hato.legacy.LegacyProxy}, the non-blocking login on the
 * old IMAP and POP3 servers for people whose route still names it.
 */
@NullMarked
package dev.hato.legacy;

import org.jspecify.annotations.NullMarked;
