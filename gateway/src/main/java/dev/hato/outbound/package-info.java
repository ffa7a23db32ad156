/**
 * Outbound delivery: the queue runner that claims due recipients from the shared {@link
 * dev.hato.store.queue.OutboundQueue}, finds where each destination's mail goes (MX per RFC 5321 §5.1, or a
 * smarthost), delivers over reused SMTP connections ({@code outbound.client}), retries with backoff, and reports delays and
 * failures to senders (RFC 3464 via {@code dev.hato.dsn}). No Netty here: the network is behind {@link
 * dev.hato.outbound.MxResolver} and {@link dev.hato.outbound.client.SmtpConnector}.
 */
@NullMarked
package dev.hato.outbound;

import org.jspecify.annotations.NullMarked;
