package dev.hato.app.monitoring;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The gateway's health for the status page: the same indicators as {@code /actuator/health}, each asked once and
 * rendered as one line ({@code DOWN (breaker=OPEN)}), in the order given. An indicator that fails shows DOWN.
 */
public final class HealthSummary {

    private final Map<String, ReactiveHealthIndicator> components;

    /** {@code components}: path (as {@code credentialSources/ldap:campus}) → indicator, in display order. */
    public HealthSummary(Map<String, ? extends ReactiveHealthIndicator> components) {
        this.components = new LinkedHashMap<>(components);
    }

    public Mono<Map<String, String>> lines() {
        return Flux.fromIterable(components.entrySet())
                .concatMap(entry -> Mono.defer(() -> entry.getValue().health())
                        .onErrorResume(error -> Mono.just(Health.down(error).build()))
                        .map(health -> Map.entry(entry.getKey(), line(health))))
                .collect(LinkedHashMap::new, (lines, entry) -> lines.put(entry.getKey(), entry.getValue()));
    }

    static String line(Health health) {
        String status = health.getStatus().getCode();
        if (health.getDetails().isEmpty()) {
            return status;
        }
        return status + health.getDetails().entrySet().stream().map(detail -> detail.getKey() + "=" + detail.getValue())
                .collect(Collectors.joining(", ", " (", ")"));
    }
}
