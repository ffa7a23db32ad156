package dev.hato.app;

import dev.hato.dkim.DkimSigner;
import dev.hato.inbound.DmarcModes;
import dev.hato.inbound.InboundAuthenticator;
import dev.hato.inbound.SpamFilter;
import dev.hato.inbound.transport.RspamdFilter;
import dev.hato.inbound.transport.RspamdLearner;
import dev.hato.imap.session.JunkReports;
import dev.hato.store.mail.Blobs;
import dev.hato.inbound.InboundSettings;
import dev.hato.inbound.transport.NettyAuthDns;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Inbound authentication as the server runs it: its DNS resolver (closed with the application) and checks. */
final class InboundWiring implements AutoCloseable {

    private final @Nullable NettyAuthDns dns;
    private final @Nullable InboundAuthenticator authenticator;

    InboundWiring(HatoProperties properties) {
        HatoProperties.Inbound inbound = properties.inbound();
        String authservId = inbound.authservId() == null || inbound.authservId().isBlank() ? properties.hostName()
                : inbound.authservId();
        InboundSettings settings = new InboundSettings(inbound.spf().enabled(), inbound.dkim().enabled(),
                inbound.dmarc().enabled(), inbound.arc().enabled(), authservId, inbound.dmarc().enforce(), inbound.dmarc().deferOnTemperror(),
                inbound.dkim().maxSignatures(), inbound.deadline());
        if (!settings.any()) {
            this.dns = null;
            this.authenticator = null;
            return;
        }
        List<String> servers = inbound.dnsServers().isEmpty() ? properties.outbound().dnsServers()
                : inbound.dnsServers();
        this.dns = new NettyAuthDns(OutboundWiring.dnsServers(servers), inbound.dnsTimeout(), inbound.dnsMinTtl(),
                inbound.dnsMaxTtl());
        this.authenticator = new InboundAuthenticator(settings, dns, Clock.systemUTC(), DkimSigner.MAX_HEADER_OCTETS,
                new DmarcModes(inbound.dmarc().domains()));
    }

    /** The spam filter of hato.inbound.spam-filter.*, or null when no URL is set. */
    static @Nullable SpamFilter spamFilter(HatoProperties properties) {
        HatoProperties.SpamFilter spam = properties.inbound().spamFilter();
        if (spam.url() == null) {
            return null;
        }
        return new RspamdFilter(new RspamdFilter.Settings(spam.url(), spam.timeout(), spam.maxSize().toBytes(),
                spam.reject(), spam.onFailure()));
    }

    /**
     * Where messages moved into or out of Junk over IMAP go: rspamd's controller of hato.inbound.spam-filter.learn-url,
     * or nowhere.
     */
    static JunkReports junkReports(HatoProperties properties, Blobs blobs) {
        HatoProperties.SpamFilter spam = properties.inbound().spamFilter();
        if (spam.learnUrl() == null) {
            return JunkReports.NONE;
        }
        return new SpamLearning(new RspamdLearner(spam.learnUrl(), spam.learnPassword(), spam.timeout()), blobs,
                spam.maxSize().toBytes());
    }

    /** The checks, or null when every one of them is disabled. */
    @Nullable InboundAuthenticator authenticator() {
        return authenticator;
    }

    @Override
    public void close() {
        if (dns != null) {
            dns.close();
        }
    }
}
