package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Domain;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.mail.Delivery;
import dev.hato.store.mail.DeliveryReceipt;
import dev.hato.store.mail.TestContent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.test.StepVerifier;

/** Opening, closing, restarting and sharing the embedded PostgreSQL. Each test has a data directory of its own. */
class PgStoreLifecycleTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path data;

    @Test
    void aRestartShouldKeepDomainsAccountsMessagesAndContent() {
        TestContent content = TestContent.random(3 * 1024 * 1024);
        Account account;
        DeliveryReceipt receipt;
        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            store.directory().addDomain("keep.example").block();
            account = store.directory().addAccount(new NewAccount("ann@keep.example", "ann.k-x7q2", "Ann", "$argon2id$h"))
                    .block();
            receipt = store.deliveries().deliver(new Delivery(content, List.of(account.id()), Instant.now())).block(WAIT);
        }

        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            assertThat(store.describe()).doesNotContain("attached");
            assertThat(store.directory().findByAuthId("ann.k-x7q2").block()).isEqualTo(account);
            long inbox = store.messages().mailbox(account.id(), "INBOX").block().id();
            assertThat(store.messages().messages(account.id(), inbox).collectList().block())
                    .containsExactlyElementsOf(receipt.messages());
            assertThat(TestContent.concat(store.messages().content(receipt.blobId()).collectList().block(WAIT)))
                    .isEqualTo(content.bytes());
            DeliveryReceipt next = store.deliveries().deliver(new Delivery(TestContent.unique("after restart"),
                    List.of(account.id()), Instant.now())).block(WAIT);
            assertThat(next.messages().get(0).uid()).isEqualTo(2);
        }
    }

    @Test
    void aSecondOpenOnTheSameDataDirectoryShouldAttachAndSeeTheFirstOnesData() {
        try (PgStore first = PgStore.open(StoreSettings.defaults(data))) {
            first.directory().addDomain("shared.example").block();

            try (PgStore second = PgStore.open(StoreSettings.defaults(data))) {
                assertThat(second.describe()).contains("attached");
                assertThat(second.directory().isLocalDomain("shared.example").block()).isTrue();
                second.directory().addDomain("from-second.example").block();
            }

            // Closing the attached store left the server running for the first one.
            assertThat(first.directory().isLocalDomain("from-second.example").block()).isTrue();
            assertThat(first.describe()).doesNotContain("attached");
        }
    }

    @Test
    void aCliInAnotherJvmShouldAttachToTheRunningServerAndLeaveItRunning() throws Exception {
        try (PgStore server = PgStore.open(StoreSettings.defaults(data))) {
            server.directory().addDomain("server.example").block();

            List<String> output = runToEnd(java("visit"));

            assertThat(output).anySatisfy(line -> assertThat(line).startsWith("describe: ").contains("attached"));
            assertThat(output).contains("domain: server.example");
            assertThat(server.directory().domains().map(Domain::name).collectList().block()).contains("server.example");
        }
    }

    @Test
    void aServerLeftRunningByAKilledProcessShouldBeTakenOverNotAttachedTo() throws Exception {
        Process owner = java("own", "orphan.example").start();
        try {
            awaitLine(owner, "ready");
        } finally {
            owner.destroyForcibly(); // SIGKILL: no shutdown hook stops its PostgreSQL
            owner.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(data.resolve("postgres/postmaster.pid")).exists();

        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            assertThat(store.describe()).doesNotContain("attached");
            assertThat(store.directory().isLocalDomain("orphan.example").block()).isTrue();
        }
        // This time the store had started the server, so closing it stopped the server.
        assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();
    }

    @Test
    void aStalePidFileShouldNotPreventTheStart() throws Exception {
        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            store.directory().addDomain("stale.example").block();
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        writePidFile(gone.pid());

        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            assertThat(store.directory().isLocalDomain("stale.example").block()).isTrue();
        }

        // A PID that was recycled by a process that is not PostgreSQL (here: this JVM).
        writePidFile(ProcessHandle.current().pid());
        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            assertThat(store.directory().isLocalDomain("stale.example").block()).isTrue();
        }
    }

    @Test
    void theEmbeddedServerShouldBeDurableAndListenOnLoopbackOnly() {
        try (PgStore store = PgStore.open(StoreSettings.defaults(data))) {
            assertThat(TestSql.rows(store, "SELECT current_setting('fsync'), current_setting('synchronous_commit'),"
                    + " current_setting('full_page_writes'), current_setting('listen_addresses')"))
                    .containsExactly(List.of("on", "on", "on", "127.0.0.1"));
            assertThat(store.describe()).startsWith("embedded PostgreSQL 16.").contains("127.0.0.1:")
                    .contains(data.resolve("postgres").toString());
        }
    }

    @Test
    void aFixedEmbeddedPortShouldBeUsed() throws IOException {
        int port;
        try (var socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (PgStore store = PgStore.open(StoreSettings.defaults(data).withEmbeddedPort(port))) {
            assertThat(store.describe()).contains("127.0.0.1:" + port + ",");
        }
    }

    @Test
    void aStoreWithAUrlShouldUseThatServerAndNeverShowItsCredentials() {
        try (PgStore embedded = PgStore.open(StoreSettings.defaults(data))) {
            embedded.directory().addDomain("external.example").block();
            String port = (String) TestSql.rows(embedded, "SELECT current_setting('port')").get(0).get(0);
            String url = "r2dbc:postgresql://postgres:secret@127.0.0.1:" + port + "/postgres";

            try (PgStore external = PgStore.open(StoreSettings.defaults(data.resolve("unused")).withUrl(url))) {
                assertThat(external.describe()).isEqualTo("PostgreSQL at r2dbc:postgresql://127.0.0.1:" + port
                        + "/postgres");
                assertThat(external.directory().isLocalDomain("external.example").block()).isTrue();
            }
            assertThat(data.resolve("unused/postgres")).doesNotExist();
        }
    }

    @Test
    void closeShouldBeIdempotentAndRefuseLaterDeliveries() {
        PgStore store = PgStore.open(StoreSettings.defaults(data));
        store.close();
        store.close();

        StepVerifier.create(store.deliveries().deliver(new Delivery(TestContent.unique("late"), List.of(1L),
                Instant.now()))).verifyError(IllegalStateException.class);
    }

    private void writePidFile(long pid) throws IOException {
        // The layout PostgreSQL writes: PID, data directory, start time, port, socket directory, ...
        Files.writeString(data.resolve("postgres/postmaster.pid"),
                pid + "\n" + data.resolve("postgres") + "\n1700000000\n1\n/tmp\n127.0.0.1\n  0 0\nready   \n");
    }

    private ProcessBuilder java(String... args) {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, StoreProcess.class.getName(), data.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true);
    }

    private static List<String> runToEnd(ProcessBuilder builder) throws Exception {
        Process process = builder.start();
        List<String> lines = new ArrayList<>();
        try (var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit value; output: %s", lines).isZero();
        return lines;
    }

    private static void awaitLine(Process process, String wanted) throws IOException {
        var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.equals(wanted)) {
                return;
            }
            seen.add(line);
        }
        throw new AssertionError("the process ended without printing " + wanted + ": " + seen);
    }
}
