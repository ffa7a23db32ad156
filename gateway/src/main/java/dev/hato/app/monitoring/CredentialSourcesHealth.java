package dev.hato.app.monitoring;

import dev.hato.auth.CredentialSourceHealth;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * {@code credentialSources}: one component per credential source, by its name. {@code local} (passwords in the
 * store) is UP whenever the store is; each LDAP or HTTP source shows its circuit breaker: CLOSED is UP, HALF_OPEN
 * (the next logins probe it) is {@link QueueHealth#WARNING}, OPEN (failing fast after errors) is DOWN. Reading a
 * breaker's state costs nothing: no source is asked anything by a health check.
 */
public final class CredentialSourcesHealth {

    private CredentialSourcesHealth() { }

    public static CompositeReactiveHealthContributor of(CredentialSourceHealth sources) {
        return CompositeReactiveHealthContributor.fromMap(components(sources));
    }

    /** One indicator per source, by name, {@code local} first. */
    public static Map<String, ReactiveHealthIndicator> components(CredentialSourceHealth sources) {
        Map<String, ReactiveHealthIndicator> components = new LinkedHashMap<>();
        components.put("local", () -> Mono.just(Health.up().withDetail("kind", "passwords in the store").build()));
        for (String name : sources.states().keySet()) {
            components.put(name, () -> Mono.fromSupplier(() -> health(sources.states().get(name))));
        }
        return components;
    }

    private static Health health(String state) {
        Status status = switch (state) {
            case "CLOSED" -> Status.UP;
            case "HALF_OPEN" -> QueueHealth.WARNING;
            default -> Status.DOWN;
        };
        return Health.status(status).withDetail("breaker", state).build();
    }
}
