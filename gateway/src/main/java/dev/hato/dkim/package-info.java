/**
 * DKIM (RFC 6376, RFC 8463): signing outgoing mail with a key per domain (rsa-sha256 and ed25519-sha256,
 * relaxed/relaxed canonicalization) and the DNS TXT record that publishes each key; verifying the signatures of
 * received mail ({@link dev.hato.dkim.DkimVerifier}) with the same canonicalization code.
 */
@NullMarked
package dev.hato.dkim;

import org.jspecify.annotations.NullMarked;
