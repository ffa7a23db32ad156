package dev.hato.app;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every setting of Hato, bound from {@code hato.*} properties (a properties file, {@code HATO_*} environment
 * variables, or command-line {@code --hato.x=y}); documented in docs/configuration.md. Validated on binding.
 */
@ConfigurationProperties("hato")
public record HatoProperties(
        @DefaultValue("localhost") String hostName,
        @DefaultValue("hato-data") Path dataDir,
        @DefaultValue("127.0.0.1") String bindAddress,
        @DefaultValue Ports ports,
        @DefaultValue Tls tls,
        @DefaultValue Store store,
        @DefaultValue Smtp smtp,
        @DefaultValue Pop3 pop3,
        @DefaultValue Auth auth) {

    public HatoProperties {
        if (hostName.isBlank() || hostName.contains(" ")) {
            throw new IllegalArgumentException("hato.host-name must be a host name, got '" + hostName + "'");
        }
    }

    /** Unprivileged defaults for a first run; production uses 25, 465, 587, 110, 995 and 443. */
    public record Ports(@DefaultValue("2525") int smtp, @DefaultValue("4465") int submissions,
                        @DefaultValue("5587") int submission, @DefaultValue("1110") int pop3,
                        @DefaultValue("1995") int pop3s, @DefaultValue("8080") int http) {
        public Ports {
            for (int port : new int[] {smtp, submissions, submission, pop3, pop3s, http}) {
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("port out of range: " + port);
                }
            }
        }
    }

    /** PEM certificate chain and private key; both unset means a self-signed certificate in the data directory. */
    public record Tls(@Nullable Path certificate, @Nullable Path privateKey,
                      @DefaultValue("rsa") String selfSignedKeyType) {
        public Tls {
            if ((certificate == null) != (privateKey == null)) {
                throw new IllegalArgumentException("set both hato.tls.certificate and hato.tls.private-key, or neither");
            }
            if (!selfSignedKeyType.equalsIgnoreCase("rsa") && !selfSignedKeyType.equalsIgnoreCase("ec")) {
                throw new IllegalArgumentException("hato.tls.self-signed-key-type must be rsa or ec");
            }
        }
    }

    /** Without {@code url} Hato runs an embedded PostgreSQL in {@code <data-dir>/postgres}. */
    public record Store(@Nullable String url, @Nullable String username, @Nullable String password,
                        @DefaultValue("0") int embeddedPort, @DefaultValue("10") int poolSize) { }

    public record Smtp(@DefaultValue("50MB") DataSize maxMessageSize, @DefaultValue("100") int maxRecipients,
                       @DefaultValue("5m") Duration idleTimeout) { }

    public record Pop3(@DefaultValue("10m") Duration idleTimeout) { }

    /** How people are authenticated; see docs/authentication.md. */
    public record Auth(@DefaultValue Token token) { }

    /**
     * Bearer tokens (SASL OAUTHBEARER and XOAUTH2) issued by a portal: off unless {@code issuer} is set; then exactly
     * one of {@code publicKey} (PEM, RS256/ES256) and {@code hmacSecret} (HS256) must be set.
     */
    public record Token(@Nullable String issuer, @Nullable String audience,
                        @DefaultValue("sub") String authIdClaim, @DefaultValue("60s") Duration clockSkew,
                        @Nullable Path publicKey, @Nullable String hmacSecret) {
        public Token {
            if (issuer != null && !issuer.isBlank() && (publicKey == null) == (hmacSecret == null || hmacSecret.isEmpty())) {
                throw new IllegalArgumentException(
                        "with hato.auth.token.issuer set exactly one of public-key and hmac-secret is required");
            }
        }

        public boolean enabled() {
            return issuer != null && !issuer.isBlank();
        }
    }
}
