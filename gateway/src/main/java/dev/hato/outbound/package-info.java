/**
 * Outbound delivery: the queue runner that claims due recipients from the shared {@link
 * dev.hato.store.queue.OutboundQueue}, finds where each destination's mail goes (MX per RFC 5321 §5.1, a
 * smarthost, or for people still served by a legacy system that system's MTA, issue 17), applies their MTA-STS policies (RFC 8461, {@link dev.hato.outbound.MtaSts}), delivers over reused SMTP
 * connections ({@code outbound.client}), retries with backoff, reports delays and failures to senders (RFC 3464 via
 * {@code dev.hato.dsn}) and TLS outcomes to destinations (RFC 8460, {@link dev.hato.outbound.TlsReporting}). No
 * Netty here: the network is behind {@link dev.hato.outbound.MxResolver}, {@link dev.hato.outbound.OutboundHttp} and
 * {@link dev.hato.outbound.client.SmtpConnector}.
 */
@NullMarked
package dev.hato.outbound;

import org.jspecify.annotations.NullMarked;
