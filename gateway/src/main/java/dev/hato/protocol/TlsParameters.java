package dev.hato.protocol;

/**
 * What TLS a connection negotiated, as the mail log reports it: the protocol version ({@code TLSv1.3}) and the
 * cipher suite ({@code TLS_AES_256_GCM_SHA384}), as the TLS engine names them. Both are the engine's own names,
 * never client input.
 */
public record TlsParameters(String protocol, String cipherSuite) {
}
