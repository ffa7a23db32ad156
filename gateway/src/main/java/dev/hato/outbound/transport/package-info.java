/**
 * The network side of outbound delivery, kept thin as {@code dev.hato.edge} is for the servers: SMTP client
 * connections on Reactor Netty's {@code TcpClient} (line framing, STARTTLS, implicit TLS with BouncyCastle JSSE)
 * DNS lookups with Netty's asynchronous {@code DnsNameResolver}, and the HTTPS of MTA-STS policies and TLS reports
 * on Reactor Netty's {@code HttpClient}.
 */
@NullMarked
package dev.hato.outbound.transport;

import org.jspecify.annotations.NullMarked;
