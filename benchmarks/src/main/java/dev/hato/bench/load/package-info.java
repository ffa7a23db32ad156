/**
 * Load generators run against a live server from the command line (not by JMH): {@link SmtpLatency} measures
 * DATA-to-250 latency, which Postfix's {@code smtp-source} does not report; {@link ImapLoad} runs a checked IMAP
 * mix with many clients on Reactor Netty; {@link ImapIdle} holds thousands of IDLE sessions and measures how fast a
 * delivery reaches them. Used by {@code benchmarks/scripts/smtp-load.sh}, {@code imap-load.sh} and
 * {@code imap-idle.sh}; results in {@code docs/benchmarks.md}.
 */
@NullMarked
package dev.hato.bench.load;

import org.jspecify.annotations.NullMarked;
