package dev.hato.app;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

/** A WebDAV client over a real HTTPS socket to the running server, trusting its self-signed certificate. */
final class DavClient {

    record Reply(int status, HttpHeaders headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpClient client;
    private final String base;

    DavClient(int httpsPort, String login, String password) {
        this(httpsPort, "Basic " + Base64.getEncoder().encodeToString((login + ":" + password)
                .getBytes(StandardCharsets.UTF_8)));
    }

    private DavClient(int httpsPort, String authorization) {
        SslContext trustAll;
        try {
            trustAll = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        } catch (SSLException e) {
            throw new IllegalStateException(e);
        }
        this.client = HttpClient.create().secure(spec -> spec.sslContext(trustAll))
                .headers(headers -> {
                    if (!authorization.isEmpty()) {
                        headers.set("Authorization", authorization);
                    }
                });
        this.base = "https://127.0.0.1:" + httpsPort;
    }

    /** A client that sends no credentials. */
    static DavClient anonymous(int httpsPort) {
        return new DavClient(httpsPort, "");
    }

    Reply send(String method, String path, String body, Map<String, String> headers) {
        return client.headers(h -> headers.forEach(h::set))
                .request(HttpMethod.valueOf(method)).uri(base + path)
                .send(ByteBufFlux.fromString(Mono.just(body), StandardCharsets.UTF_8,
                        io.netty.buffer.ByteBufAllocator.DEFAULT))
                .responseSingle((response, content) -> content.asString(StandardCharsets.UTF_8).defaultIfEmpty("")
                        .map(text -> new Reply(response.status().code(), response.responseHeaders(), text)))
                .block(Duration.ofSeconds(30));
    }

    Reply propfind(String path, String depth, String body) {
        return send("PROPFIND", path, body, Map.of("Depth", depth, "Content-Type", "application/xml; charset=utf-8"));
    }

    Reply report(String path, String body) {
        return send("REPORT", path, body, Map.of("Depth", "1", "Content-Type", "application/xml; charset=utf-8"));
    }

    Reply put(String path, String vcard, Map<String, String> conditions) {
        Map<String, String> headers = new java.util.HashMap<>(conditions);
        headers.put("Content-Type", "text/vcard; charset=utf-8");
        return send("PUT", path, vcard, headers);
    }

    Reply get(String path, Map<String, String> headers) {
        return send("GET", path, "", headers);
    }
}
