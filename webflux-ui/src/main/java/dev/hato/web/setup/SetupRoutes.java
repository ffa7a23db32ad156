package dev.hato.web.setup;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import dev.hato.web.page.PageModel;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * "How to configure mail software", generated from the running configuration: the {@code /setup} page (English and
 * Japanese; the person's own auth ID only once logged in), Thunderbird autoconfig at
 * {@code /.well-known/autoconfig/mail/config-v1.1.xml} and {@code /mail/config-v1.1.xml}, Outlook autodiscover at
 * {@code POST /autodiscover/autodiscover.xml}, and an Apple profile at {@code /setup/hato.mobileconfig} for the person
 * logged in. {@link #autoconfig} is also served on the plain HTTP port, where Thunderbird looks first.
 */
public final class SetupRoutes {

    static final MediaType XML = new MediaType("application", "xml", StandardCharsets.UTF_8);
    static final MediaType MOBILECONFIG = MediaType.parseMediaType("application/x-apple-aspen-config");

    private final Supplier<ClientSettings> settings;

    public SetupRoutes(Supplier<ClientSettings> settings) {
        this.settings = settings;
    }

    /** The URL of the set-up page people are sent to. */
    static String setupUrl(ClientSettings settings) {
        return "https://" + settings.hostName() + (settings.https() == 443 ? "" : ":" + settings.https()) + "/setup";
    }

    /** Everything on the HTTPS port. */
    public RouterFunction<ServerResponse> routes() {
        return route()
                .GET("/setup", this::page)
                .GET("/setup/hato.mobileconfig", this::mobileConfig)
                .POST("/autodiscover/autodiscover.xml", this::autodiscover)
                .GET("/.well-known/mta-sts.txt", this::mtaSts)
                .build()
                .and(autoconfig());
    }

    /** Thunderbird autoconfig, which reveals no auth ID: on both ports. */
    public RouterFunction<ServerResponse> autoconfig() {
        return route()
                .GET("/.well-known/autoconfig/mail/config-v1.1.xml", this::autoconfigFile)
                .GET("/mail/config-v1.1.xml", this::autoconfigFile)
                .build();
    }

    /**
     * The MTA-STS policy file (RFC 8461 §3.3: over HTTPS only, never redirected, {@code text/plain}); 404 when no
     * policy is published.
     */
    private Mono<ServerResponse> mtaSts(ServerRequest request) {
        MtaStsPolicy policy = settings.get().mtaSts();
        return policy == null ? ServerResponse.notFound().build()
                : ServerResponse.ok().contentType(MediaType.TEXT_PLAIN).bodyValue(policy.render());
    }

    private Mono<ServerResponse> autoconfigFile(ServerRequest request) {
        return ServerResponse.ok().contentType(XML)
                .bodyValue(Autoconfig.render(settings.get(), request.queryParam("emailaddress").orElse(null)));
    }

    private Mono<ServerResponse> page(ServerRequest request) {
        return PageModel.of(request).flatMap(model -> {
            ClientSettings current = settings.get();
            model.put("settings", current);
            model.put("placeholder", Autoconfig.AUTH_ID_PLACEHOLDER);
            return ServerResponse.ok().render("setup", model);
        });
    }

    private Mono<ServerResponse> mobileConfig(ServerRequest request) {
        ClientSettings current = settings.get();
        return PageModel.user(request)
                .flatMap(user -> ServerResponse.ok().contentType(MOBILECONFIG)
                        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                                .filename(MobileConfig.fileName(current)).build().toString())
                        .bodyValue(MobileConfig.render(current, user)))
                .switchIfEmpty(Mono.defer(() -> ServerResponse.status(401).build()));
    }

    private Mono<ServerResponse> autodiscover(ServerRequest request) {
        return DataBufferUtils.join(request.bodyToFlux(org.springframework.core.io.buffer.DataBuffer.class),
                        Autodiscover.MAX_REQUEST)
                .map(buffer -> {
                    try {
                        return buffer.toString(StandardCharsets.UTF_8);
                    } finally {
                        DataBufferUtils.release(buffer);
                    }
                })
                .defaultIfEmpty("")
                .flatMap(body -> {
                    String address = Autodiscover.address(body);
                    if (address == null) {
                        return ServerResponse.badRequest().contentType(MediaType.TEXT_PLAIN)
                                .bodyValue("expected an Outlook autodiscover request with an EMailAddress\n");
                    }
                    return ServerResponse.ok().contentType(XML)
                            .bodyValue(Autodiscover.render(settings.get(), address));
                })
                .onErrorResume(org.springframework.core.io.buffer.DataBufferLimitException.class,
                        tooLong -> ServerResponse.status(413).contentType(MediaType.TEXT_PLAIN)
                                .bodyValue("autodiscover request too large\n"));
    }
}
