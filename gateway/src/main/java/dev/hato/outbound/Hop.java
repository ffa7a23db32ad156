package dev.hato.outbound;

import dev.hato.outbound.client.TlsPolicy;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * One server to try for a destination: its host name (what TLS verifies and reports name), its address, how to
 * talk to it, for an MX host (not a smarthost) the MTA-STS view of it, and for a legacy system's MTA the
 * certificates its operator said to trust ({@code trustPem}, PEM; null: those outbound delivery trusts).
 */
record Hop(String host, InetSocketAddress address, boolean implicitTls, TlsPolicy tls, @Nullable String username,
           @Nullable String password, @Nullable Sts sts, @Nullable String trustPem) {

    Hop(String host, InetSocketAddress address, boolean implicitTls, TlsPolicy tls, @Nullable String username,
        @Nullable String password, @Nullable Sts sts) {
        this(host, address, implicitTls, tls, username, password, sts, null);
    }

    /**
     * An MX host of {@code domain} (the policy domain of the TLS reports): the domain's MTA-STS lookup, and whether
     * its policy names this host (always true without a policy).
     */
    record Sts(String domain, MtaSts.Lookup lookup, boolean permitted) {

        MtaStsPolicy.@Nullable Mode mode() {
            MtaStsPolicy policy = lookup.policy();
            return policy == null ? null : policy.mode();
        }
    }

    /** This hop without MTA-STS, with {@code tls}: how TLS reports themselves go out (RFC 8460 §5.3). */
    Hop relaxed(TlsPolicy policy) {
        return new Hop(host, address, implicitTls, policy, username, password, null, trustPem);
    }
}
