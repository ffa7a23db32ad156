/**
 * TLS for every Hato listener: loads the operator's PEM certificate chain and private key, or generates and keeps a
 * self-signed certificate on first start, and builds the server-mode Netty {@code SslContext} on BouncyCastle
 * (BC JSSE backed by the BC JCA provider). Further certificates are chosen by the name a client asks for (SNI), and
 * every operator's certificate is reloaded when its files change, without a new context: the context's one key
 * manager ({@code SniKeyManager}) reads the current set of certificates on each handshake.
 * {@link dev.hato.tls.ServerTls} is the entry point, {@link dev.hato.tls.TlsSettings} its configuration,
 * {@link dev.hato.tls.CertificateWatcher} the periodic check of the files.
 */
@NullMarked
package dev.hato.tls;

import org.jspecify.annotations.NullMarked;
