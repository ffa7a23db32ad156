/**
 * The network side of outbound delivery, kept thin as {@code dev.hato.edge} is for the servers: SMTP client
 * connections on Reactor Netty's {@code TcpClient} (line framing, STARTTLS, implicit TLS with BouncyCastle JSSE)
 * and DNS lookups with Netty's asynchronous {@code DnsNameResolver}.
 */
@NullMarked
package dev.hato.outbound.transport;

import org.jspecify.annotations.NullMarked;
