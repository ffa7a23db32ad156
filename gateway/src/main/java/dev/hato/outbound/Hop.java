package dev.hato.outbound;

import dev.hato.outbound.client.TlsPolicy;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * One server to try for a destination: its host name (what TLS verifies and reports name), its address, and how
 * to talk to it.
 */
record Hop(String host, InetSocketAddress address, boolean implicitTls, TlsPolicy tls, @Nullable String username,
           @Nullable String password) { }
