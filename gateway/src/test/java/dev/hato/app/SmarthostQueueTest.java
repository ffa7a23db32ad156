package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.ldap.TestCertificate;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.queue.Envelope;
import dev.hato.store.queue.OutboundRecipient;
import dev.hato.store.queue.QueuedRecipient;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Smarthost mode (all mail to one relay, over required TLS, with AUTH) and the {@code hato queue} verbs against the
 * running server's queue. Retries are an hour apart here, so what is deferred stays put until the CLI moves it.
 */
class SmarthostQueueTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static TestSmtpServer relay;
    private static RunningHato hato;

    @BeforeAll
    static void start() throws Exception {
        relay = TestSmtpServer.on("127.0.0.1", 0)
                .tls(TestCertificate.forHost("relay.example.test").serverContext())
                .auth("relay-user", "relay-secret")
                .rcpt((address, attempt) -> address.startsWith("defer") ? "451 4.4.5 relay busy" : "250 2.1.5 ok")
                .start();
        hato = RunningHato.start(Files.createTempDirectory("hato-smarthost-test-"),
                "--hato.outbound.smarthost.host=127.0.0.1",
                "--hato.outbound.smarthost.port=" + relay.port(),
                "--hato.outbound.smarthost.tls=encrypt",
                "--hato.outbound.smarthost.username=relay-user",
                "--hato.outbound.smarthost.password=relay-secret",
                "--hato.outbound.first-retry=1h",
                "--hato.outbound.max-retry=2h",
                "--hato.outbound.poll-interval=200ms");
    }

    @AfterAll
    static void stop() throws Exception {
        if (hato != null) {
            hato.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    @Test
    void everyDomainShouldGoThroughTheSmarthostOverTlsWithAuth() {
        String to = "someone@far-away.example";

        queue(to);

        await(() -> relay.transactions().stream().anyMatch(t -> t.accepted().contains(to)), "the relayed message");
        TestSmtpServer.Transaction relayed = relay.transactions().stream()
                .filter(t -> t.accepted().contains(to)).findFirst().orElseThrow();
        assertThat(relayed.tls()).isTrue();
        assertThat(relayed.authenticatedAs()).isEqualTo("relay-user");
        assertThat(relay.commands()).anyMatch(c -> c.startsWith("AUTH PLAIN "));
        // No credentials before TLS: AUTH came after STARTTLS.
        assertThat(relay.commands().indexOf("STARTTLS")).isLessThan(indexOf(relay.commands(), "AUTH PLAIN "));
    }

    @Test
    void queueVerbsShouldListRetryAndDeleteWhatIsQueued() {
        String to = "defer-cli@far-away.example";
        DeliveryReceipt receipt = queue(to);
        long id = receipt.queuedMessageId();
        await(() -> attempts(to) >= 1, "the first attempt");

        CliRun list = hato("queue", "list");
        assertThat(list.status()).as(list.err()).isZero();
        assertThat(list.out()).contains(id + "\t" + to + "\t<sender@far-away.example>\t1\t")
                .contains("451 4.4.5 relay busy");

        CliRun retry = hato("queue", "retry", String.valueOf(id));
        assertThat(retry.status()).as(retry.err()).isZero();
        assertThat(retry.out()).startsWith("1 recipient(s) due now");
        await(() -> attempts(to) >= 2, "the retry");

        assertThat(hato("queue", "retry").err()).startsWith("hato: give message IDs");
        CliRun delete = hato("queue", "delete", String.valueOf(id));
        assertThat(delete.out()).contains("deleted queued message " + id);
        assertThat(hato("queue", "list").out()).doesNotContain(to);
        CliRun again = hato("queue", "delete", String.valueOf(id));
        assertThat(again.status()).isNotZero();
        assertThat(again.err()).isEqualTo("hato: no queued message " + id + "\n");
    }

    private static DeliveryReceipt queue(String to) {
        return hato.store().deliveries().deliver(new Delivery(OutboundDeliveryTest.Bytes.of("Subject: relay\r\n\r\nHi.\r\n"),
                List.of(), Instant.now(), new Envelope("sender@far-away.example", null, null, false,
                        Envelope.Body.SEVEN_BIT), List.of(new OutboundRecipient(to)))).block(WAIT);
    }

    private static int attempts(String address) {
        return hato.store().outboundQueue().list().filter(r -> r.recipient().address().equals(address))
                .map(QueuedRecipient::attempts).defaultIfEmpty(0).blockFirst(WAIT);
    }

    private static int indexOf(List<String> commands, String prefix) {
        for (int i = 0; i < commands.size(); i++) {
            if (commands.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static void await(BooleanSupplier condition, String what) {
        Eventually.until(condition, what, WAIT);
    }

    private static CliRun hato(String... args) {
        return CliRun.of(hato.dataDir(), "", args);
    }
}
