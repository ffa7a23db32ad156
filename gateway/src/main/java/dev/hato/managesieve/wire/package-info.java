/**
 * ManageSieve's wire (RFC 5804 §1.2, §4): the command records, the grammar that reads one framed command line and its
 * literals into a record, and the writing of responses and strings. Framing itself (lines, {@code {n+}} and
 * {@code {n}} literals, their limits) is IMAP's framer, whose syntax ManageSieve shares, told that a ManageSieve
 * client never waits for a continuation. Plain Java; no network or reactive types.
 */
@NullMarked
package dev.hato.managesieve.wire;

import org.jspecify.annotations.NullMarked;
