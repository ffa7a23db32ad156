package dev.hato.outbound;

import java.net.URI;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/** The HTTPS requests of outbound TLS: MTA-STS policies in, TLS reports out. Netty's is in {@code transport}. */
public interface OutboundHttp {

    /**
     * The body of {@code https://mta-sts.DOMAIN/.well-known/mta-sts.txt} (RFC 8461 §3.3): fetched with a certificate
     * checked as for the web, no redirect followed, only a {@code 200} of {@code text/plain} of at most
     * {@link MtaStsPolicy#MAX_SIZE} octets accepted, within the fetch timeout. Errors with {@link FetchFailure}.
     */
    Mono<String> fetchPolicy(String domain);

    /** POSTs a gzip-compressed TLS report as {@code application/tlsrpt+gzip} (RFC 8460 §5.4); errors unless 2xx. */
    Mono<Void> postReport(URI uri, byte[] gzipped);

    /** A policy that could not be fetched, with the RFC 8460 result type that says why. */
    final class FetchFailure extends RuntimeException {
        private final String resultType;

        public FetchFailure(String resultType, String message, @Nullable Throwable cause) {
            super(message, cause);
            this.resultType = resultType;
        }

        /** {@code sts-webpki-invalid} for a certificate that does not pass, else {@code sts-policy-fetch-error}. */
        public String resultType() {
            return resultType;
        }
    }
}
