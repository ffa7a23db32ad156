package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Never lose what was acknowledged", proven the hard way: the packaged server is killed with SIGKILL while 20
 * clients are sending, then restarted on the same data directory; every message that got a 250 must be there.
 * More faults (IMAP, outbound delivery, PostgreSQL restarted or out of disk) are in FaultInjectionIT.
 */
class DurabilityIT {

    @TempDir
    Path work;

    @Test
    void killDashNineDuringTwentyConcurrentSendersShouldLoseNoAcknowledgedMessage() throws Exception {
        Path data = work.resolve("data");
        Map<String, Integer> ports = HatoProcess.ports("smtp", "pop3s");
        HatoProcess server = HatoProcess.serve(work, data, "first", ports, Map.of());
        String authId;
        try {
            HatoProcess.cli(data, Map.of(), "", "domain", "add", "durable.test");
            authId = HatoProcess.cli(data, Map.of(), "durable-secret-1\n",
                    "user", "add", "box@durable.test", "--password-stdin").trim();
        } catch (Exception e) {
            server.kill();
            throw e;
        }

        Set<String> acknowledged;
        try (SmtpLoad load = new SmtpLoad(ports.get("smtp"), 20, "box@durable.test", n -> "y".repeat(2_000))) {
            // Kill in the middle of the load: once a good number of messages were acknowledged (bounded in time, so
            // a slow, shared machine waits longer instead of killing before anything was committed).
            Thread.sleep(2_000);
            load.awaitAcknowledged(100, 90);
            server.kill();
            acknowledged = load.acknowledged();
        }
        assertThat(acknowledged).as("messages acknowledged before the kill").hasSizeGreaterThan(20);

        try (HatoProcess again = HatoProcess.serve(work, data, "second", ports, Map.of())) {
            List<String> stored = HatoProcess.storedSubjects(ports.get("pop3s"), authId, "durable-secret-1");
            Set<String> lost = HatoProcess.missing(acknowledged, stored);
            System.out.printf("acknowledged %d, stored %d, lost %d%n", acknowledged.size(), stored.size(),
                    lost.size());
            assertThat(lost).as("acknowledged with 250 but not stored").isEmpty();
        }
    }
}
