/**
 * The delivery pipeline ({@link dev.hato.delivery.DeliveryPipeline}): each recipient a protocol asks for is resolved,
 * expanded (aliases, catch-all, plus-addressing, forwarding), routed and checked against quota; each accepted message
 * is checked for loops, filtered per recipient, checked against quota, appended to the local mailboxes and queued for
 * elsewhere in one commit, and its RFC 3461 notifications are sent. One small class per step; reports and bounces
 * Hato writes itself take the shorter {@link dev.hato.delivery.GeneratedDelivery}. Also spooling a message while it
 * is received (bounded memory, spilling to a file) and the trace header fields added on the way in. Imports no
 * protocol package (DeliveryBoundaryTest).
 */
@NullMarked
package dev.hato.delivery;

import org.jspecify.annotations.NullMarked;
