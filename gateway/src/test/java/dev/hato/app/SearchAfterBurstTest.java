package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message is found by SEARCH the moment its delivery is acknowledged, through the search index (ADR 0007): right
 * after a burst of concurrent deliveries into a mailbox large enough to be searched through the index (more than
 * the 2,000 messages below which a mailbox is read through), and again after a restart.
 */
class SearchAfterBurstTest {

    private static final int CONNECTIONS = 20;
    private static final int PER_CONNECTION = 102;

    @TempDir
    Path dataDir;

    @Test
    void everyAcknowledgedMessageShouldBeFoundAtOnceAndAfterARestart() throws Exception {
        RunningHato.User user;
        try (RunningHato hato = RunningHato.start(dataDir)) {
            hato.provisioning().addDomain(RunningHato.DOMAIN).block();
            user = hato.newUser("burst");
            ExecutorService senders = Executors.newFixedThreadPool(CONNECTIONS);
            try {
                List<Future<?>> sent = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++) {
                    int connection = c;
                    sent.add(senders.submit(() -> {
                        send(hato.port("smtp"), user, connection);
                        return null;
                    }));
                }
                for (Future<?> future : sent) {
                    future.get(5, TimeUnit.MINUTES);
                }
            } finally {
                senders.shutdownNow();
            }
            expectFound(hato, user);
        }
        try (RunningHato again = RunningHato.start(dataDir)) {
            expectFound(again, user);
        }
    }

    /** One connection's messages, each acknowledged before the next: subject {@code n<number>}. */
    private static void send(int port, RunningHato.User to, int connection) throws IOException {
        try (SocketTransport smtp = new SocketTransport(port, false)) {
            smtp.readLine();
            smtp.send("HELO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
            smtp.readLine();
            for (int i = 0; i < PER_CONNECTION; i++) {
                int n = connection * PER_CONNECTION + i;
                smtp.send(("MAIL FROM:<x@remote.test>\r\nRCPT TO:<" + to.address() + ">\r\nDATA\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                for (int reply = 0; reply < 3; reply++) {
                    smtp.readLine();
                }
                smtp.send(("Subject: n" + n + "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body(n)
                        + "\r\n.\r\n").getBytes(StandardCharsets.UTF_8));
                assertThat(smtp.readLine()).startsWith("250 2.0.0");
            }
        }
    }

    /** Every message has "burst"; one in 97 a rare word, one in 7 a Japanese one. */
    private static String body(int n) {
        return "burst message " + n + (n % 97 == 0 ? " zeppelin" : "") + (n % 7 == 0 ? " 打ち合わせ" : "");
    }

    private static void expectFound(RunningHato hato, RunningHato.User user) throws IOException {
        int total = CONNECTIONS * PER_CONNECTION;
        try (SocketTransport imap = ImapLines.login(hato, user)) {
            assertThat(ImapLines.command(imap, "s1 SELECT INBOX")).contains("* " + total + " EXISTS");
            assertThat(subjects(imap, "zeppelin")).isEqualTo(expected(total, 97));
            assertThat(subjects(imap, "打ち合わせ")).isEqualTo(expected(total, 7));
            List<String> all = ImapLines.command(imap, "s4 SEARCH BODY burst");
            assertThat(all.get(0).split(" ")).hasSize(total + 2);
        }
    }

    private static Set<Integer> expected(int total, int every) {
        Set<Integer> numbers = new TreeSet<>();
        for (int n = 0; n < total; n += every) {
            numbers.add(n);
        }
        return numbers;
    }

    /** The numbers in the subjects of the messages whose body holds {@code word}. */
    private static Set<Integer> subjects(SocketTransport imap, String word) throws IOException {
        byte[] command = ("s2 UID SEARCH CHARSET UTF-8 BODY {" + word.getBytes(StandardCharsets.UTF_8).length
                + "}\r\n").getBytes(StandardCharsets.US_ASCII);
        imap.send(command);
        assertThat(imap.readLine()).startsWith("+");
        imap.send((word + "\r\n").getBytes(StandardCharsets.UTF_8));
        List<String> lines = ImapLines.untilTagged(imap, "s2");
        assertThat(lines).last().asString().startsWith("s2 OK");
        String uids = lines.get(0).replaceFirst("^\\* SEARCH ?", "").trim().replace(' ', ',');
        assertThat(uids).isNotEmpty();
        Set<Integer> numbers = new TreeSet<>();
        Pattern subject = Pattern.compile("Subject: n(\\d+)");
        for (String line : ImapLines.command(imap, "s3 UID FETCH " + uids + " BODY.PEEK[HEADER.FIELDS (SUBJECT)]")) {
            Matcher m = subject.matcher(line);
            if (m.find()) {
                numbers.add(Integer.parseInt(m.group(1)));
            }
        }
        return numbers;
    }
}
