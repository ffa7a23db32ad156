/**
 * TLS for every Hato listener: loads the operator's PEM certificate chain and private key, or generates and keeps a
 * self-signed certificate on first start, and builds the server-mode Netty {@code SslContext} on BouncyCastle
 * (BC JSSE backed by the BC JCA provider). {@link dev.hato.tls.ServerTls} is the one public entry point;
 * {@link dev.hato.tls.TlsSettings} is its configuration.
 */
@NullMarked
package dev.hato.tls;

import org.jspecify.annotations.NullMarked;
