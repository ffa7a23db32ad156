package dev.hato.outbound.transport;

import dev.hato.outbound.MtaStsPolicy;
import dev.hato.outbound.OutboundHttp;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * HTTPS with Reactor Netty for MTA-STS and TLS reports: host names resolved through the same name servers as MX
 * lookups (asynchronously), certificates checked against the trust of {@code verify} with the host name, no
 * redirects, bounded time and size.
 */
public final class NettyOutboundHttp implements OutboundHttp, AutoCloseable {

    private final LoopResources loop;
    private final HttpClient client;
    private final int policyPort;
    private final Duration timeout;

    /**
     * @param policyPort the port of the policy hosts (443; tests use another)
     * @param timeout    the longest a fetch or a report upload may take in all
     */
    public NettyOutboundHttp(ClientTls tls, List<InetSocketAddress> dnsServers, Duration dnsTimeout, int policyPort,
                             Duration timeout) {
        this.policyPort = policyPort;
        this.timeout = timeout;
        DnsNameResolverBuilder dns = new DnsNameResolverBuilder()
                .datagramChannelType(NioDatagramChannel.class)
                .nameServerProvider(dnsServers.isEmpty() ? DnsServerAddressStreamProviders.platformDefault()
                        : new SequentialDnsServerAddressStreamProvider(dnsServers))
                .queryTimeoutMillis(dnsTimeout.toMillis());
        // NIO, not the native transport Reactor Netty would prefer: the resolver's datagram channel is NIO's.
        this.loop = LoopResources.create("hato-outbound-https", 1, true);
        this.client = HttpClient.create(ConnectionProvider.newConnection())
                .runOn(loop, false)
                .resolver(new DnsAddressResolverGroup(dns))
                .followRedirect(false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .responseTimeout(timeout)
                .secure(spec -> spec.sslContext(tls.verifying()));
    }

    @Override
    public Mono<String> fetchPolicy(String domain) {
        String url = "https://mta-sts." + domain + (policyPort == 443 ? "" : ":" + policyPort)
                + "/.well-known/mta-sts.txt";
        return fetchBody(url)
                .timeout(timeout)
                .onErrorMap(error -> !(error instanceof FetchFailure), error -> new FetchFailure(
                        webPki(error) ? "sts-webpki-invalid" : "sts-policy-fetch-error",
                        url + ": " + (error instanceof TimeoutException ? "no answer within " + timeout
                                : error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage()),
                        error));
    }

    /** The policy text, checked as the fetch requires, read up to {@link MtaStsPolicy#MAX_SIZE} octets. */
    private Mono<String> fetchBody(String url) {
        return client.get().uri(url)
                .response((response, content) -> {
                    int status = response.status().code();
                    if (status != 200) {
                        // RFC 8461 §3.3: only a 200 counts; redirects are not followed.
                        return Mono.error(new FetchFailure("sts-policy-fetch-error", url + " answered HTTP " + status,
                                null));
                    }
                    String type = response.responseHeaders().get(HttpHeaderNames.CONTENT_TYPE, "");
                    int semicolon = type.indexOf(';');
                    String media = (semicolon < 0 ? type : type.substring(0, semicolon)).strip()
                            .toLowerCase(Locale.ROOT);
                    if (!media.equals("text/plain")) {
                        return Mono.error(new FetchFailure("sts-policy-fetch-error", url + " is " + type
                                + ", not text/plain", null));
                    }
                    return content.asByteArray()
                            .reduce(new ByteArrayOutputStream(), (out, bytes) -> {
                                if (out.size() + bytes.length > MtaStsPolicy.MAX_SIZE) {
                                    throw tooLarge(url);
                                }
                                out.write(bytes, 0, bytes.length);
                                return out;
                            })
                            .map(out -> out.toString(StandardCharsets.UTF_8));
                })
                .next();
    }

    private static FetchFailure tooLarge(String url) {
        return new FetchFailure("sts-policy-fetch-error", url + " is larger than " + MtaStsPolicy.MAX_SIZE
                + " octets", null);
    }

    /** Whether the policy host's certificate did not pass (RFC 8460 sts-webpki-invalid), not some other failure. */
    private static boolean webPki(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException || cause instanceof CertPathValidatorException
                    || cause instanceof CertPathBuilderException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Mono<Void> postReport(URI uri, byte[] gzipped) {
        return client.headers(headers -> headers.set(HttpHeaderNames.CONTENT_TYPE, "application/tlsrpt+gzip"))
                .post().uri(uri)
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(gzipped)))
                .responseSingle((response, content) -> {
                    int status = response.status().code();
                    return status / 100 == 2 ? Mono.<Void>empty()
                            : Mono.error(new IllegalStateException(uri + " answered HTTP " + status));
                })
                .timeout(timeout);
    }

    @Override
    public void close() {
        loop.disposeLater().block(Duration.ofSeconds(5));
    }
}
