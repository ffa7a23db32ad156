package dev.hato.app;

import dev.hato.auth.SecretFile;
import dev.hato.delivery.ActiveScripts;
import dev.hato.delivery.DeliveryPipeline;
import dev.hato.delivery.DeliveringMailer;
import dev.hato.delivery.DeliveringReportSender;
import dev.hato.delivery.DeliveryQuotas;
import dev.hato.delivery.DeliverySettings;
import dev.hato.delivery.ExpandStep;
import dev.hato.delivery.FilterStep;
import dev.hato.delivery.GeneratedDelivery;
import dev.hato.delivery.LoopStep;
import dev.hato.delivery.QuotaStep;
import dev.hato.delivery.RecipientResolver;
import dev.hato.delivery.ReportStep;
import dev.hato.delivery.ResolveStep;
import dev.hato.delivery.RouteStep;
import dev.hato.delivery.Srs;
import dev.hato.delivery.StoreStep;
import dev.hato.dsn.DeliveryReports;
import dev.hato.imap.fetch.MessageIndexer;
import dev.hato.maillog.MailLog;
import dev.hato.store.pg.PgStore;
import java.nio.file.Path;
import java.time.Clock;
import reactor.core.scheduler.Scheduler;
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
    static DeliveryPipeline pipeline(HatoProperties properties, PgStore store, Path spool, MailLog mailLog,
                                     ActiveScripts scripts) {
        DeliverySettings settings = settings(properties);
        StoreStep storeStep = new StoreStep(store.deliveries());
        GeneratedDelivery generated = generated(properties, store, storeStep);
        DeliveringReportSender reports = reports(properties.hostName(), spool, Schedulers.boundedElastic(),
                generated);
        DeliveryQuotas quotas = store.mailboxes()::quotaToEnforce;
        FilterStep filter = new FilterStep(scripts, store.mailboxes(),
                new DeliveringMailer(generated, spool, Schedulers.boundedElastic(), indexer()::reader),
                properties.smtp().subaddressSeparator(), postmaster(properties),
                Clock.systemDefaultZone(), Schedulers.parallel());
        return new DeliveryPipeline(new DeliveryPipeline.Steps(resolve(properties, store), expand(properties, store),
                new RouteStep(settings), new QuotaStep(quotas), new LoopStep(settings.maxHops()), filter,
                storeStep, new ReportStep(reports)), Clock.systemDefaultZone(), mailLog, srs(properties));
    }

    /**
     * The sender rewriting of forwarded mail, keyed by {@code srs.secret} in the data directory (made on first
     * start; nodes on one database should share it, as a restored server must, or the bounces of mail forwarded
     * before are refused for 21 days).
     */
    static Srs srs(HatoProperties properties) {
        try {
            return new Srs(SecretFile.read(properties.dataDir().resolve("srs.secret"), 32, "the SRS key"),
                    Clock.systemUTC());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read or make the SRS key: " + e.getMessage(), e);
        }
    }

    /** The address of the notes Hato writes to people: hato.smtp.postmaster, or postmaster at the host name. */
    private static String postmaster(HatoProperties properties) {
        String configured = properties.smtp().postmaster();
        return configured == null || configured.isBlank() ? "postmaster@" + properties.hostName() : configured;
    }

    /** The path of reports and bounces (the outbound queue's, and the pipeline's own). */
    private static GeneratedDelivery generated(HatoProperties properties, PgStore store, StoreStep storeStep) {
        return new GeneratedDelivery(new RecipientResolver(resolve(properties, store), expand(properties, store)),
                storeStep, settings(properties), Clock.systemUTC());
    }

    /**
     * What reads a message's IMAP facts in the pass that receives it (SMTP, APPEND, reports and bounces), so that
     * they are stored with its blob at the commit and no message is read again to be parsed.
     */
    static MessageIndexer indexer() {
        return MessageIndexer.withDefaults(Schedulers.boundedElastic());
    }

    /**
     * The outbound queue's bounces and delay notices, written by {@code reportingMta} and delivered through the
     * path of reports (see {@link #generated}).
     */
    static DeliveringReportSender reports(HatoProperties properties, PgStore store, String reportingMta, Path spool,
                                          Scheduler io) {
        return reports(reportingMta, spool, io, generated(properties, store, new StoreStep(store.deliveries())));
    }

    /** Messages Hato writes itself (TLS reports), delivered through the path of reports. */
    static DeliveringMailer mailer(HatoProperties properties, PgStore store, Path spool, Scheduler io) {
        return new DeliveringMailer(generated(properties, store, new StoreStep(store.deliveries())), spool, io,
                indexer()::reader);
    }

    /** Reports written by {@code reportingMta}, spooled with their facts read as they are written, then delivered. */
    static DeliveringReportSender reports(String reportingMta, Path spool, Scheduler io, GeneratedDelivery generated) {
        return new DeliveringReportSender(new DeliveryReports(reportingMta, Clock.systemUTC()), generated, spool, io,
                indexer()::reader);
    }

    private static ResolveStep resolve(HatoProperties properties, PgStore store) {
        return new ResolveStep(store.addresses(), properties.hostName(), properties.smtp().postmaster());
    }

    private static ExpandStep expand(HatoProperties properties, PgStore store) {
        return new ExpandStep(store.addresses(), properties.smtp().subaddressSeparator(), srs(properties));
    }
}
