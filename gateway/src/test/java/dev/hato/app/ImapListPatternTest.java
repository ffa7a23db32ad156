package dev.hato.app;

import static dev.hato.app.ImapLines.command;
import static dev.hato.app.ImapLines.deliver;
import static dev.hato.app.ImapLines.login;
import static dev.hato.app.ImapLines.untilTagged;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A LIST or LSUB pattern of many wildcards beside other clients (docs/security.md): it once became a backtracking
 * regex that kept a thread busy for seconds with 52 {@code %} and for ever with 2,000, and every listener waited.
 * Client 1 sends the worst case, client 2 works meanwhile; both must be answered. The only time bound is the socket
 * read timeout of {@link SocketTransport}: the assertions are on the answers.
 */
class ImapListPatternTest {

    private static final RunningHato HATO = RunningHato.shared();
    /** A name of the longest length (1,000) that the patterns below come close to matching. */
    private static final String LONG_NAME = "a".repeat(999) + "b";

    @Test
    void aPatternOfThousandsOfWildcardsShouldBeRefusedWhileOtherClientsAreServed() throws Exception {
        RunningHato.User user = HATO.newUser("wild");
        try (SocketTransport hostile = login(HATO, user); SocketTransport other = login(HATO, user)) {
            command(hostile, "c1 CREATE " + LONG_NAME);
            send(hostile, "h1 LIST \"\" \"" + "%".repeat(2000) + "Z\"");
            assertThat(command(other, "o1 LIST \"\" \"*\"")).contains("* LIST (\\HasNoChildren) \"/\" \"INBOX\"");
            deliver(HATO, user, "delivered beside a hostile LIST");
            assertThat(untilTagged(hostile, "h1")).last().asString()
                    .isEqualTo("h1 BAD LIST pattern too long: 2001 characters with the reference, at most 1024");
            send(hostile, "h2 LSUB \"\" \"" + "*".repeat(2000) + "Z\"");
            assertThat(command(other, "o2 STATUS INBOX (MESSAGES)")).contains("* STATUS \"INBOX\" (MESSAGES 1)");
            assertThat(untilTagged(hostile, "h2")).last().asString()
                    .isEqualTo("h2 BAD LSUB pattern too long: 2001 characters with the reference, at most 1024");
            command(hostile, "h3 NOOP");
        }
    }

    @Test
    void theLongestPatternTheLimitsAllowShouldBeAnsweredWhileOtherClientsAreServed() throws Exception {
        RunningHato.User user = HATO.newUser("wild");
        // 1,024 characters, 64 wildcards, each followed by a run the long name has everywhere: as a regex, each
        // [^/]* could end at any of a thousand places, and the last "c" fails only after trying them all.
        String pattern = ("%" + "a".repeat(15)).repeat(63) + "%" + "a".repeat(14) + "c";
        assertThat(pattern).hasSize(1024);
        try (SocketTransport hostile = login(HATO, user); SocketTransport other = login(HATO, user)) {
            command(hostile, "c1 CREATE " + LONG_NAME);
            command(hostile, "c2 SUBSCRIBE " + LONG_NAME);
            send(hostile, "h1 LIST \"\" \"" + pattern + "\"");
            assertThat(command(other, "o1 LIST \"\" \"*\"")).contains("* LIST (\\HasNoChildren) \"/\" \"INBOX\"");
            deliver(HATO, user, "delivered beside a hostile LIST");
            assertThat(untilTagged(hostile, "h1")).containsExactly("h1 OK LIST completed");
            send(hostile, "h2 LSUB \"\" \"" + pattern + "\"");
            assertThat(command(other, "o2 STATUS INBOX (MESSAGES)")).contains("* STATUS \"INBOX\" (MESSAGES 1)");
            assertThat(untilTagged(hostile, "h2")).containsExactly("h2 OK LSUB completed");
            // The same pattern ending in the name's last character matches it: the answer is a real one.
            String matching = pattern.substring(0, pattern.length() - 1) + "b";
            List<String> listed = command(hostile, "h3 LIST \"\" \"" + matching + "\"");
            assertThat(listed).containsExactly("* LIST (\\HasNoChildren) \"/\" \"" + LONG_NAME + "\"",
                    "h3 OK LIST completed");
        }
    }

    private static void send(SocketTransport imap, String line) throws Exception {
        imap.send((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
}
