package dev.hato.store.queue;

import java.util.Objects;

/**
 * Outbound TLS sessions of one kind, counted for the TLS reports (RFC 8460 §4): towards {@code policyDomain}
 * under a policy ({@code "sts"} with its id and text, or {@code "no-policy-found"} with empty ones), with the MX
 * host and address connected to, and a result: empty for a successful session, else an RFC 8460 §4.3 result type
 * such as {@code certificate-not-trusted}.
 */
public record TlsSession(String policyDomain, String policyType, String policyId, String policyString,
                         String mxHost, String receivingIp, String resultType, long sessions) {
    public TlsSession {
        Objects.requireNonNull(policyDomain, "policyDomain");
        Objects.requireNonNull(policyType, "policyType");
        Objects.requireNonNull(policyId, "policyId");
        Objects.requireNonNull(policyString, "policyString");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(receivingIp, "receivingIp");
        Objects.requireNonNull(resultType, "resultType");
    }

    public boolean successful() {
        return resultType.isEmpty();
    }
}
