package dev.hato.app;

import static dev.hato.app.ImapLines.command;
import static dev.hato.app.ImapLines.deliver;
import static dev.hato.app.ImapLines.login;
import static dev.hato.app.ImapLines.untilTagged;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Several sessions of one node idling in the same INBOX, woken by the same delivery (so they share one read and
 * one \Recent claim through the node's MailboxChanges): every one is told of the message, exactly one sees it as
 * \Recent (RFC 3501 §2.3.2).
 */
class ImapSharedIdleTest {

    private static final int SESSIONS = 6;
    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void everyIdlingSessionShouldSeeTheDeliveryAndExactlyOneShouldSeeItAsRecent() throws Exception {
        RunningHato.User gus = HATO.newUser("gus");
        List<SocketTransport> sessions = new ArrayList<>();
        try {
            for (int i = 0; i < SESSIONS; i++) {
                SocketTransport imap = login(HATO, gus);
                sessions.add(imap);
                assertThat(command(imap, "s1 SELECT INBOX")).contains("* 0 EXISTS", "* 0 RECENT");
            }
            int[] recentCounts = new int[SESSIONS];
            for (int round = 1; round <= 2; round++) {
                for (SocketTransport imap : sessions) {
                    imap.send(("i" + round + " IDLE\r\n").getBytes(StandardCharsets.US_ASCII));
                    assertThat(imap.readLine()).startsWith("+ ");
                }

                deliver(HATO, gus, "round " + round);

                int sawRecent = 0;
                for (int i = 0; i < SESSIONS; i++) {
                    SocketTransport imap = sessions.get(i);
                    assertThat(imap.readLine()).as("IDLE woken by the delivery").isEqualTo("* " + round + " EXISTS");
                    // RECENT counts this session's recent messages, so it grows by one for the session that got it.
                    String recent = imap.readLine();
                    assertThat(recent).isIn("* " + recentCounts[i] + " RECENT", "* " + (recentCounts[i] + 1)
                            + " RECENT");
                    if (recent.equals("* " + (recentCounts[i] + 1) + " RECENT")) {
                        recentCounts[i]++;
                        sawRecent++;
                    }
                    imap.send("DONE\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(untilTagged(imap, "i" + round)).last().asString().startsWith("i" + round + " OK");
                }
                assertThat(sawRecent).as("sessions that see message " + round + " as recent").isEqualTo(1);

                int flaggedRecent = 0;
                for (SocketTransport imap : sessions) {
                    List<String> fetch = command(imap, "f" + round + " FETCH " + round + " (FLAGS)");
                    flaggedRecent += fetch.stream().anyMatch(line -> line.contains("\\Recent")) ? 1 : 0;
                }
                assertThat(flaggedRecent).as("FETCH FLAGS with \\Recent for message " + round).isEqualTo(1);
            }
            try (SocketTransport late = login(HATO, gus)) {
                assertThat(command(late, "s1 SELECT INBOX")).as("both messages are claimed already")
                        .contains("* 2 EXISTS", "* 0 RECENT");
            }
        } finally {
            for (SocketTransport imap : sessions) {
                imap.close();
            }
        }
    }
}
