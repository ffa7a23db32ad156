package dev.hato.web.site;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.thymeleaf.IEngineConfiguration;
import org.thymeleaf.templateresolver.AbstractConfigurableTemplateResolver;
import org.thymeleaf.templateresource.ITemplateResource;
import org.thymeleaf.templateresource.StringTemplateResource;

/**
 * Everything the site serves from the class path, read once when the site is built: reading a jar entry blocks,
 * and nothing may block an event loop. The static files are a fixed list (the versions are in their paths, so they
 * may be cached for long); the page templates are Thymeleaf's, resolved from memory.
 */
final class Preloaded {

    private static final MediaType CSS = new MediaType("text", "css", StandardCharsets.UTF_8);
    private static final MediaType JAVASCRIPT = new MediaType("text", "javascript", StandardCharsets.UTF_8);

    /** URL path → class-path resource. */
    static final Map<String, String> STATIC = Map.of(
            "/webjars/bootstrap/5.3.3/css/bootstrap.min.css",
            "META-INF/resources/webjars/bootstrap/5.3.3/css/bootstrap.min.css",
            "/webjars/htmx.org/2.0.7/dist/htmx.min.js", "META-INF/resources/webjars/htmx.org/2.0.7/dist/htmx.min.js",
            "/static/hato.css", "web/static/hato.css",
            "/static/hato.js", "web/static/hato.js");

    static final List<String> TEMPLATES = List.of("fragments", "layout", "login", "mailbox", "message", "folders",
            "compose", "settings", "filters", "contacts", "contact", "setup", "admin", "admin-migration");

    private Preloaded() { }

    static RouterFunction<ServerResponse> staticFiles() {
        RouterFunctions.Builder routes = route();
        STATIC.forEach((path, resource) -> {
            byte[] content = read(resource);
            MediaType type = path.endsWith(".js") ? JAVASCRIPT : CSS;
            CacheControl cache = path.startsWith("/webjars/") ? CacheControl.maxAge(Duration.ofDays(365)).cachePublic()
                    : CacheControl.maxAge(Duration.ofHours(1));
            routes.GET(path, request -> ServerResponse.ok().contentType(type).cacheControl(cache)
                    .bodyValue(content));
        });
        return routes.build();
    }

    /** The page templates ({@code templates/web/<name>.html}), held as text. */
    static AbstractConfigurableTemplateResolver templates() {
        Map<String, String> texts = new LinkedHashMap<>();
        for (String name : TEMPLATES) {
            texts.put(name, new String(read("templates/web/" + name + ".html"), StandardCharsets.UTF_8));
        }
        return new AbstractConfigurableTemplateResolver() {
            @Override
            protected ITemplateResource computeTemplateResource(IEngineConfiguration configuration,
                                                                String ownerTemplate, String template,
                                                                String resourceName, String characterEncoding,
                                                                Map<String, Object> templateResolutionAttributes) {
                String text = texts.get(template);
                if (text == null) {
                    throw new IllegalArgumentException("no page template " + template);
                }
                return new StringTemplateResource(text);
            }
        };
    }

    private static byte[] read(String resource) {
        try (InputStream in = Preloaded.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing on the class path: " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
