/**
 * The DNS lookups of inbound authentication with Netty's asynchronous {@code DnsNameResolver}: TXT, A, AAAA, MX and
 * PTR queries, bounded in time, cached for their TTL, failures reported as temporary answers; and the spam filter's
 * client for rspamd's HTTP protocol ({@code RspamdFilter}).
 */
@NullMarked
package dev.hato.inbound.transport;

import org.jspecify.annotations.NullMarked;
