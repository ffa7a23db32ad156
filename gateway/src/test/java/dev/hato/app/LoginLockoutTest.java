package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.audit.AuthEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The probe of a locked-out owner, through real sockets from two loopback addresses: someone at 127.0.0.1 who keeps
 * failing with another person's auth ID gets that auth ID locked for 127.0.0.1 only; the owner at 127.0.0.2 logs in
 * with the right password at once.
 */
class LoginLockoutTest {

    @TempDir
    static Path dataDir;

    private static RunningHato hato;

    @BeforeAll
    static void start() {
        hato = RunningHato.startForLogins(dataDir);
    }

    @AfterAll
    static void stop() {
        hato.close();
    }

    private static String login(String from, String authId, String password) throws Exception {
        try (SocketTransport imap = new SocketTransport(hato.port("imaps"), true, from)) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send(("a1 LOGIN \"" + authId + "\" \"" + password + "\"\r\n").getBytes(StandardCharsets.UTF_8));
            String answer = imap.readLine();
            while (answer.startsWith("* ")) {
                answer = imap.readLine();
            }
            return answer;
        }
    }

    private static List<AuthEvent> events(RunningHato.User user) {
        return hato.store().auditLog().query(user.authId(), null, 100).collectList().block(Duration.ofSeconds(30));
    }

    @Test
    void anOwnerShouldLogInFromAnotherAddressWhileSomeoneElseKeepsFailingWithTheirAuthId() throws Exception {
        RunningHato.User owner = hato.newUser("owner");
        for (int i = 0; i < 10; i++) {
            assertThat(login("127.0.0.1", owner.authId(), "guess-" + i)).startsWith("a1 NO [AUTHENTICATIONFAILED]");
        }
        assertThat(login("127.0.0.1", owner.authId(), owner.password()))
                .as("the failing address is locked out for this auth ID, even with the right password")
                .startsWith("a1 NO [UNAVAILABLE]");

        assertThat(login("127.0.0.2", owner.authId(), owner.password()))
                .as("the owner, from an address that did not fail")
                .startsWith("a1 OK");

        Eventually.until(() -> events(owner).size() == 12, "the audit log to record every attempt",
                Duration.ofSeconds(10));
        List<AuthEvent> events = events(owner);
        assertThat(events).extracting(AuthEvent::clientIp).as("the server saw both client addresses")
                .contains("127.0.0.1", "127.0.0.2");
        assertThat(events).filteredOn(event -> event.clientIp().equals("127.0.0.2"))
                .extracting(AuthEvent::result).containsExactly(AuthEvent.Result.SUCCESS);
    }

    @Test
    void anOwnerShouldLogInFromTheirUsualAddressWhereSomeoneElseKeepsFailingWithTheirAuthId() throws Exception {
        // One NAT (127.0.0.3) for the owner and a stranger: the owner logged in from it before.
        RunningHato.User owner = hato.newUser("shared");
        assertThat(login("127.0.0.3", owner.authId(), owner.password())).startsWith("a1 OK");
        for (int i = 0; i < 12; i++) {
            assertThat(login("127.0.0.3", owner.authId(), "guess-" + i)).startsWith("a1 NO [AUTHENTICATIONFAILED]");
        }

        assertThat(login("127.0.0.3", owner.authId(), owner.password()))
                .as("a familiar address is never refused for its auth ID; the password is checked")
                .startsWith("a1 OK");
    }
}
