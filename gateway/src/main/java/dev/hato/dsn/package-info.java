/**
 * Delivery status notifications (RFC 3464 in a multipart/report, RFC 6522): the report messages the outbound side
 * sends back to a sender. TEMPORARY minimal implementation in the outbound branch, to be replaced by the DSN
 * builder of its own branch (same API).
 */
@NullMarked
package dev.hato.dsn;

import org.jspecify.annotations.NullMarked;
