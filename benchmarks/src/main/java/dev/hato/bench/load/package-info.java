/**
 * Load generators run against a live server from the command line (not by JMH): {@link SmtpLatency} measures
 * DATA-to-250 latency, which Postfix's {@code smtp-source} does not report. Used by
 * {@code benchmarks/scripts/smtp-load.sh}; results in {@code docs/benchmarks.md}.
 */
@NullMarked
package dev.hato.bench.load;

import org.jspecify.annotations.NullMarked;
