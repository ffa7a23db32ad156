package dev.hato.app;

import dev.hato.delivery.DeliveryPipeline;
import dev.hato.delivery.DeliveryQuotas;
import dev.hato.delivery.DeliverySettings;
import dev.hato.delivery.ExpandStep;
import dev.hato.delivery.FilterStep;
import dev.hato.delivery.GeneratedDelivery;
import dev.hato.delivery.IndexingDeliveryWriter;
import dev.hato.delivery.LoopStep;
import dev.hato.delivery.QuotaStep;
import dev.hato.delivery.RecipientResolver;
import dev.hato.delivery.ReportStep;
import dev.hato.delivery.ResolveStep;
import dev.hato.delivery.RouteStep;
import dev.hato.delivery.StoreStep;
import dev.hato.dsn.DeliveringReportSender;
import dev.hato.dsn.DeliveryReports;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.store.mail.DeliveryWriter;
import dev.hato.store.pg.PgStore;
import java.nio.file.Path;
import java.time.Clock;
import reactor.core.scheduler.Schedulers;

/**
 * The delivery pipeline as the server runs it, assembled from its steps: the one path of received mail (SMTP
 * today), and the shorter one of the reports and bounces Hato writes itself.
 */
final class DeliveryWiring {

    private DeliveryWiring() { }

    /** hato.smtp.max-hops; recipients elsewhere are always queued. */
    static DeliverySettings settings(HatoProperties properties) {
        // The outbound queue is in the database: every node can queue, whichever nodes deliver.
        return DeliverySettings.defaults().withMaxHops(properties.smtp().maxHops()).withRemoteDelivery(true);
    }

    /** The pipeline of received messages; its reports are built with the server's host name as reporting MTA. */
    static DeliveryPipeline pipeline(HatoProperties properties, PgStore store, Path spool) {
        DeliverySettings settings = settings(properties);
        StoreStep storeStep = new StoreStep(deliveries(store));
        DeliveringReportSender reports = new DeliveringReportSender(new DeliveryReports(properties.hostName(),
                Clock.systemUTC(), spool, Schedulers.boundedElastic()), generated(properties, store, storeStep));
        DeliveryQuotas quotas = store.mailboxes()::quotaToEnforce;
        return new DeliveryPipeline(new DeliveryPipeline.Steps(resolve(properties, store), expand(properties, store),
                new RouteStep(settings), new QuotaStep(quotas), new LoopStep(settings.maxHops()), new FilterStep(),
                storeStep, new ReportStep(reports)), Clock.systemDefaultZone());
    }

    /** The path of reports and bounces (the outbound queue's, and the pipeline's own). */
    static GeneratedDelivery generated(HatoProperties properties, PgStore store) {
        return generated(properties, store, new StoreStep(deliveries(store)));
    }

    private static GeneratedDelivery generated(HatoProperties properties, PgStore store, StoreStep storeStep) {
        return new GeneratedDelivery(new RecipientResolver(resolve(properties, store), expand(properties, store)),
                storeStep, settings(properties), Clock.systemUTC());
    }

    /**
     * Where every delivery ends (received mail, reports, bounces): messages are parsed once into their IMAP facts
     * before the commit, off the event loop, and the facts are stored with the blob.
     */
    static DeliveryWriter deliveries(PgStore store) {
        return new IndexingDeliveryWriter(store.deliveries(), MessageIndexer.withDefaults(Schedulers.boundedElastic()));
    }

    private static ResolveStep resolve(HatoProperties properties, PgStore store) {
        return new ResolveStep(store.addresses(), properties.hostName(), properties.smtp().postmaster());
    }

    private static ExpandStep expand(HatoProperties properties, PgStore store) {
        return new ExpandStep(store.addresses(), properties.smtp().subaddressSeparator());
    }
}
