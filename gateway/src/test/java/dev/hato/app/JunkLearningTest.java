package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.hato.store.mail.MessageMeta;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Messages a person moves into Junk over IMAP are taught to the spam filter as spam, messages moved out of it as ham,
 * and a move from Junk to Trash teaches nothing (docs/inbound-authentication.md, "Spam filter"; issue 20 item 2).
 * rspamd's controller is played by an HTTP server on loopback that records what it is sent: the path, the
 * {@code Password} header and the message, which must be the stored octets. A real client (Angus Mail) moves.
 */
class JunkLearningTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private record Learnt(String path, String password, byte[] body) { }

    private static final List<Learnt> LEARNT = new CopyOnWriteArrayList<>();
    private static HttpServer controller;
    private static RunningHato hato;

    @BeforeAll
    static void start() throws Exception {
        controller = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        for (String path : List.of("/learnspam", "/learnham")) {
            controller.createContext(path, exchange -> {
                LEARNT.add(new Learnt(exchange.getRequestURI().getPath(),
                        String.valueOf(exchange.getRequestHeaders().getFirst("Password")),
                        exchange.getRequestBody().readAllBytes()));
                byte[] answer = "{\"success\":true}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
        }
        controller.start();
        hato = RunningHato.start(Files.createTempDirectory("hato-junk-learning-test-"), "--hato.outbound.enabled=false",
                "--hato.inbound.spam-filter.learn-url=http://127.0.0.1:" + controller.getAddress().getPort(),
                "--hato.inbound.spam-filter.learn-password=controller-secret");
        hato.provisioning().addDomain(RunningHato.DOMAIN).block(WAIT);
    }

    @AfterAll
    static void stop() {
        if (hato != null) {
            hato.close();
        }
        if (controller != null) {
            controller.stop(0);
        }
    }

    @Test
    void movingIntoJunkShouldTeachSpamAndOutOfItHamButNotIntoTrash() throws Exception {
        RunningHato.User user = hato.newUser("learner");
        for (String subject : List.of("first", "second")) {
            List<String> replies = SmtpLines.send(hato.port("smtp"), "MAIL FROM:<news@remote.example>",
                    "RCPT TO:<" + user.address() + ">", "DATA",
                    "From: <news@remote.example>\r\nSubject: " + subject + "\r\n\r\nBuy now.\r\n.");
            assertThat(replies.get(replies.size() - 1)).startsWith("250 ");
        }
        List<MessageMeta> delivered = hato.inbox(user);
        assertThat(delivered).hasSize(2);
        byte[] first = hato.content(delivered.get(0));

        java.util.Properties properties = MailFlowTest.clientProperties();
        properties.put("mail.imaps.ssl.trust", "*");
        properties.put("mail.imaps.ssl.checkserveridentity", "false");
        properties.put("mail.imaps.timeout", "30000");
        Session session = Session.getInstance(properties);
        try (Store store = session.getStore("imaps")) {
            store.connect("127.0.0.1", hato.port("imaps"), user.authId(), user.password());
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            IMAPFolder junk = (IMAPFolder) store.getFolder("Junk");
            inbox.open(Folder.READ_WRITE);
            inbox.moveMessages(inbox.getMessages(), junk);
            inbox.close(false);
            Eventually.until(() -> LEARNT.size() == 2, "two messages taught as spam", WAIT);
            assertThat(LEARNT).allSatisfy(learnt -> {
                assertThat(learnt.path()).isEqualTo("/learnspam");
                assertThat(learnt.password()).isEqualTo("controller-secret");
            });
            assertThat(LEARNT.stream().anyMatch(learnt -> java.util.Arrays.equals(learnt.body(), first)))
                    .as("the stored octets were sent").isTrue();

            junk.open(Folder.READ_WRITE);
            Message[] junked = junk.getMessages();
            assertThat(junked).hasSize(2);
            junk.moveMessages(new Message[] {junked[0]}, store.getFolder("Trash"));
            junk.moveMessages(new Message[] {junked[1]}, inbox);
            junk.close(false);
        }
        Eventually.until(() -> LEARNT.size() >= 3, "a message taught as ham", WAIT);
        Thread.sleep(500);
        assertThat(LEARNT).extracting(Learnt::path).containsExactly("/learnspam", "/learnspam", "/learnham");
    }
}
