/**
 * Delivery status notifications (RFC 3461 §6, RFC 3464, RFC 6522, RFC 6533): {@link dev.hato.dsn.DeliveryReports}
 * builds the {@code multipart/report} a sender gets when a message fails, is delayed, or (on request) was delivered,
 * as a stream of chunks that carries the returned original through without holding it;
 * {@link dev.hato.dsn.RecipientReport} is what the outbound queue and the SMTP session know about each recipient.
 * Delivering a report is the delivery pipeline's work ({@code dev.hato.delivery.DeliveringReportSender}), so this
 * package does not depend on it. Plain Java over Reactor types.
 */
@NullMarked
package dev.hato.dsn;

import org.jspecify.annotations.NullMarked;
