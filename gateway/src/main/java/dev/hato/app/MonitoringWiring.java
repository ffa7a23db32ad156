package dev.hato.app;

import dev.hato.app.monitoring.CredentialSourcesHealth;
import dev.hato.app.monitoring.DeliveryBatchMeters;
import dev.hato.app.monitoring.HealthSummary;
import dev.hato.app.monitoring.QueueHealth;
import dev.hato.app.monitoring.QueueMeters;
import dev.hato.app.monitoring.StoreHealth;
import dev.hato.store.pg.PgStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.scheduler.Schedulers;

/**
 * Health and the meters that are not a listener's own (docs/operations.md, "Monitoring"). The health contributors
 * are named after their beans as Spring Boot does ({@code store}, {@code outboundQueue}, {@code credentialSources});
 * the public {@code /health} on the HTTP port is the {@code public} health group (application.properties), made of
 * {@code store} alone, so it and {@code /actuator/health} are one implementation.
 */
@Configuration(proxyBeanMethods = false)
class MonitoringWiring {

    /** A health check that waits longer than this reports its component DOWN. */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);

    /** One answer serves every health request for this long (the public /health included). */
    static final Duration STORE_HEALTH_REUSE = Duration.ofSeconds(2);

    /** One row of one small table: what the public health check costs, however often strangers ask. */
    @Bean
    StoreHealth storeHealthIndicator(PgStore store) {
        return new StoreHealth(() -> store.directory().domains().take(1).then(), store.describe(), HEALTH_TIMEOUT,
                STORE_HEALTH_REUSE);
    }

    /** WARNING once the oldest queued message is older than the delay notice (hato.outbound.delay-notice). */
    @Bean
    QueueHealth outboundQueueHealthIndicator(PgStore store, HatoProperties properties) {
        return new QueueHealth(store.outboundQueue(), properties.outbound().delayNotice(), HEALTH_TIMEOUT,
                Clock.systemUTC());
    }

    @Bean
    CompositeReactiveHealthContributor credentialSourcesHealthContributor(AuthWiring authWiring) {
        return CredentialSourcesHealth.of(authWiring.health());
    }

    /** The same health on the status page: store, queue, then each credential source. */
    @Bean
    HealthSummary healthSummary(StoreHealth storeHealthIndicator, QueueHealth outboundQueueHealthIndicator,
                                AuthWiring authWiring) {
        Map<String, ReactiveHealthIndicator> components = new LinkedHashMap<>();
        components.put("store", storeHealthIndicator);
        components.put("outboundQueue", outboundQueueHealthIndicator);
        CredentialSourcesHealth.components(authWiring.health())
                .forEach((name, indicator) -> components.put("credentialSources/" + name, indicator));
        return new HealthSummary(components);
    }

    /** Closed before the store (it depends on it): no sample runs against a closed pool. */
    @Bean(destroyMethod = "close")
    QueueMeters queueMeters(PgStore store, MeterRegistry meters, HatoProperties properties) {
        return new QueueMeters(store.outboundQueue(), meters, properties.metrics().queueInterval(),
                Schedulers.parallel(), Clock.systemUTC());
    }

    @Bean(destroyMethod = "close")
    DeliveryBatchMeters deliveryBatchMeters(PgStore store, MeterRegistry meters) {
        return new DeliveryBatchMeters(store.deliveryBatches(), meters);
    }
}
