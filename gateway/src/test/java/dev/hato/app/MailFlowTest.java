package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** End to end with a real mail client library (Angus Mail) over real TLS sockets. */
class MailFlowTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void submissionOverImplicitTlsShouldDeliverAByteIdenticalMessageReadByPop3s() throws Exception {
        RunningHato.User alice = HATO.newUser("alice");
        RunningHato.User bob = HATO.newUser("bob");
        byte[] original = japaneseMessageWithAttachment(alice.address(), bob.address());

        Session session = Session.getInstance(clientProperties());
        MimeMessage message = new MimeMessage(session, new ByteArrayInputStream(original));
        try (Transport transport = session.getTransport("smtps")) {
            transport.connect("127.0.0.1", HATO.port("submissions"), alice.authId(), alice.password());
            transport.sendMessage(message, new InternetAddress[] {new InternetAddress(bob.address())});
        }

        byte[] received = retrieveOnly(bob);
        assertThat(endsWith(received, original))
                .as("the stored message ends with exactly the submitted bytes")
                .isTrue();
        String trace = new String(received, 0, received.length - original.length, StandardCharsets.UTF_8);
        assertThat(trace).startsWith("Return-Path: <" + alice.address() + ">\r\nReceived: from ")
                .contains("with ESMTPSA id ").endsWith("\r\n");
        MimeMessage parsed = new MimeMessage(session, new ByteArrayInputStream(received));
        assertThat(parsed.getSubject()).isEqualTo("会議の議事録 (minutes)");
        MimeMultipart parts = (MimeMultipart) parsed.getContent();
        assertThat(parts.getBodyPart(0).getContent().toString()).contains("Grüße aus Tōkyō — 日本語の本文");
        assertThat(parts.getBodyPart(1).getFileName()).isEqualTo("data.bin");
    }

    @Test
    void plainSmtpShouldDeliverMailFromAnotherServerToALocalAccount() throws Exception {
        RunningHato.User carol = HATO.newUser("carol");
        Session session = Session.getInstance(clientProperties());
        MimeMessage message = new MimeMessage(session);
        message.setFrom("someone@remote.example");
        message.setRecipients(Message.RecipientType.TO, carol.address());
        message.setSubject("from afar");
        message.setText("hello from another MTA\n.\n..two dots\n", "UTF-8");
        message.saveChanges();
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect("127.0.0.1", HATO.port("smtp"), null, null);
            transport.sendMessage(message, message.getAllRecipients());
        }

        try (Store store = session.getStore("pop3s")) {
            store.connect("127.0.0.1", HATO.port("pop3s"), carol.authId(), carol.password());
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            Message got = inbox.getMessage(1);
            assertThat(got.getSubject()).isEqualTo("from afar");
            assertThat(got.getContent().toString().replace("\r\n", "\n"))
                    .isEqualTo("hello from another MTA\n.\n..two dots\n");
            inbox.close(false);
        }
    }

    @Test
    void loginWithTheAddressInsteadOfTheAuthIdShouldFailForPop3sAndSubmission() throws Exception {
        RunningHato.User dave = HATO.newUser("dave");
        Session session = Session.getInstance(clientProperties());
        try (Store store = session.getStore("pop3s")) {
            Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> store.connect("127.0.0.1", HATO.port("pop3s"), dave.address(), dave.password()));
            assertThat(failure.getMessage()).contains("auth ID");
        }
        try (Transport transport = session.getTransport("smtps")) {
            Exception failure = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                    () -> transport.connect("127.0.0.1", HATO.port("submissions"), dave.address(),
                            dave.password()));
            assertThat(failure.getMessage()).contains("535");
        }
    }

    static Properties clientProperties() {
        Properties properties = new Properties();
        for (String protocol : new String[] {"smtp", "smtps", "pop3", "pop3s", "imap", "imaps"}) {
            properties.put("mail." + protocol + ".ssl.trust", "*");
            properties.put("mail." + protocol + ".ssl.checkserveridentity", "false");
            properties.put("mail." + protocol + ".connectiontimeout", "15000");
            properties.put("mail." + protocol + ".timeout", "15000");
        }
        properties.put("mail.smtps.auth", "true");
        properties.put("mail.smtp.localhost", "client.example.test");
        properties.put("mail.smtps.localhost", "client.example.test");
        return properties;
    }

    /** An IMAPS session of Angus Mail's, logged in as {@code user} (Hato's self-signed certificate trusted). */
    static jakarta.mail.Store imaps(RunningHato hato, RunningHato.User user) throws jakarta.mail.MessagingException {
        jakarta.mail.Store store = jakarta.mail.Session.getInstance(clientProperties()).getStore("imaps");
        store.connect("127.0.0.1", hato.port("imaps"), user.authId(), user.password());
        return store;
    }

    /** The raw bytes as the one message in the user's INBOX, as POP3 RETR returns them (dot-stuffing undone). */
    static byte[] retrieveOnly(RunningHato.User user) throws Exception {
        Session session = Session.getInstance(clientProperties());
        try (Store store = session.getStore("pop3s")) {
            store.connect("127.0.0.1", HATO.port("pop3s"), user.authId(), user.password());
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            inbox.getMessage(1).writeTo(out);
            inbox.close(false);
            return out.toByteArray();
        }
    }

    /** 8-bit UTF-8 text, an ISO-2022-JP encoded-word subject and a binary attachment; a line starting with a dot. */
    static byte[] japaneseMessageWithAttachment(String from, String to) throws Exception {
        Session session = Session.getInstance(new Properties());
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(from));
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(MimeUtility.encodeText("会議の議事録 (minutes)", "ISO-2022-JP", "B"));
        MimeBodyPart text = new MimeBodyPart();
        text.setText("Grüße aus Tōkyō — 日本語の本文\r\n.a line starting with a dot\r\n", "UTF-8");
        text.setHeader("Content-Transfer-Encoding", "8bit");
        MimeBodyPart attachment = new MimeBodyPart();
        byte[] data = new byte[20_000];
        new Random(42).nextBytes(data);
        attachment.setContent(data, "application/octet-stream");
        attachment.setFileName("data.bin");
        attachment.setHeader("Content-Transfer-Encoding", "base64");
        message.setContent(new MimeMultipart(text, attachment));
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    static boolean endsWith(byte[] whole, byte[] suffix) {
        return whole.length >= suffix.length
                && Arrays.equals(whole, whole.length - suffix.length, whole.length, suffix, 0, suffix.length);
    }
}
