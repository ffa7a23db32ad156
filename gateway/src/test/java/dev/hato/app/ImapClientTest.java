package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.FetchProfile;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.UIDFolder;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.imap.AppendUID;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.junit.jupiter.api.Test;

/** A real IMAP client (Angus Mail) against the running server over implicit TLS and STARTTLS. */
class ImapClientTest {

    private static final RunningHato HATO = RunningHato.shared();

    @Test
    void imapsShouldServeFoldersAppendFetchFlagsMoveAndExpunge() throws Exception {
        RunningHato.User erin = HATO.newUser("erin");
        Session session = Session.getInstance(properties());
        try (Store store = session.getStore("imaps")) {
            store.connect("127.0.0.1", HATO.port("imaps"), erin.authId(), erin.password());
            IMAPStore imap = (IMAPStore) store;
            assertThat(imap.hasCapability("UIDPLUS")).isTrue();
            assertThat(imap.hasCapability("MOVE")).isTrue();
            assertThat(imap.hasCapability("IDLE")).isTrue();

            Folder projects = store.getFolder("Projects/日本語");
            assertThat(projects.exists()).isFalse();
            assertThat(projects.create(Folder.HOLDS_MESSAGES)).isTrue();
            List<String> names = Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName)
                    .toList();
            assertThat(names).contains("INBOX", "Projects", "Projects/日本語");

            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            MimeMessage draft = new MimeMessage(session);
            draft.setFrom("erin@example.test");
            draft.setRecipients(Message.RecipientType.TO, erin.address());
            draft.setSubject("会議 (meeting)", "UTF-8");
            draft.setText("本文です\r\nsecond line\r\n", "UTF-8");
            draft.setFlag(Flags.Flag.DRAFT, true);
            draft.saveChanges();
            AppendUID[] appended = inbox.appendUIDMessages(new Message[] {draft});
            assertThat(appended).hasSize(1);
            assertThat(appended[0].uid).isPositive();

            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            assertThat(inbox.getUIDValidity()).isEqualTo(appended[0].uidvalidity);
            Message message = inbox.getMessageByUID(appended[0].uid);
            FetchProfile profile = new FetchProfile();
            profile.add(FetchProfile.Item.ENVELOPE);
            profile.add(FetchProfile.Item.FLAGS);
            profile.add(UIDFolder.FetchProfileItem.UID);
            inbox.fetch(new Message[] {message}, profile);
            assertThat(message.getSubject()).isEqualTo("会議 (meeting)");
            assertThat(message.isSet(Flags.Flag.DRAFT)).isTrue();
            assertThat(message.isSet(Flags.Flag.SEEN)).isFalse();
            assertThat(message.getContent().toString()).contains("本文です");
            // Reading the body without PEEK set \Seen (RFC 3501 §6.4.5).
            assertThat(message.isSet(Flags.Flag.SEEN)).isTrue();

            message.setFlag(Flags.Flag.FLAGGED, true);
            assertThat(inbox.getMessageByUID(appended[0].uid).isSet(Flags.Flag.FLAGGED)).isTrue();

            inbox.moveMessages(new Message[] {message}, projects);
            // A second folder object asks the server (STATUS) rather than the open folder's cache.
            assertThat(store.getFolder("INBOX").getMessageCount()).isZero();
            projects.open(Folder.READ_WRITE);
            assertThat(projects.getMessageCount()).isEqualTo(1);
            Message moved = projects.getMessage(1);
            assertThat(moved.getSubject()).isEqualTo("会議 (meeting)");
            assertThat(moved.isSet(Flags.Flag.FLAGGED)).isTrue();
            moved.setFlag(Flags.Flag.DELETED, true);
            Message[] expunged = projects.expunge();
            assertThat(expunged).hasSize(1);
            assertThat(projects.getMessageCount()).isZero();
            projects.close(false);
            inbox.close(false);
        }
    }

    @Test
    void imapWithStartTlsShouldRefuseLoginBeforeTlsAndAcceptItAfter() throws Exception {
        RunningHato.User fay = HATO.newUser("fay");
        Properties plain = properties();
        plain.put("mail.imap.starttls.enable", "false");
        try (Store store = Session.getInstance(plain).getStore("imap")) {
            // LOGINDISABLED and no AUTH= before TLS (RFC 3501 §6.2.3): the client finds no way to log in.
            assertThrows(jakarta.mail.MessagingException.class,
                    () -> store.connect("127.0.0.1", HATO.port("imap"), fay.authId(), fay.password()));
        }
        Properties startTls = properties();
        startTls.put("mail.imap.starttls.required", "true");
        try (Store store = Session.getInstance(startTls).getStore("imap")) {
            store.connect("127.0.0.1", HATO.port("imap"), fay.authId(), fay.password());
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isZero();
            inbox.close(false);
        }
    }

    @Test
    void loginWithTheAddressShouldPointToTheAuthId() throws Exception {
        RunningHato.User gus = HATO.newUser("gus");
        try (Store store = Session.getInstance(properties()).getStore("imaps")) {
            Exception failure = assertThrows(AuthenticationFailedException.class,
                    () -> store.connect("127.0.0.1", HATO.port("imaps"), gus.address(), gus.password()));
            assertThat(failure.getMessage()).contains("auth ID");
        }
    }

    @Test
    void idleShouldBeWokenByAnSmtpDelivery() throws Exception {
        RunningHato.User hal = HATO.newUser("hal");
        Session session = Session.getInstance(properties());
        try (Store store = session.getStore("imaps")) {
            store.connect("127.0.0.1", HATO.port("imaps"), hal.authId(), hal.password());
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            CountDownLatch added = new CountDownLatch(1);
            inbox.addMessageCountListener(new MessageCountAdapter() {
                @Override
                public void messagesAdded(MessageCountEvent event) {
                    added.countDown();
                }
            });
            CompletableFuture<Void> idling = CompletableFuture.runAsync(() -> {
                try {
                    inbox.idle(true); // returns after the first untagged response
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // Deliver only once the IDLE is running; Angus Mail gives no signal for that, so send until woken.
            for (int attempt = 0; attempt < 30 && added.getCount() > 0; attempt++) {
                deliver(session, hal.address(), "wake up " + attempt);
                added.await(1, TimeUnit.SECONDS);
            }
            assertThat(added.getCount()).as("IDLE reported the delivery").isZero();
            idling.get(30, TimeUnit.SECONDS);
            assertThat(inbox.getMessageCount()).isPositive();
            inbox.close(false);
        }
    }

    @Test
    void aFetchOfManyMessagesHeaderFieldsShouldAnswerEachWithItsOwnFields() throws Exception {
        RunningHato.User ivy = HATO.newUser("ivy");
        Session session = Session.getInstance(properties());
        try (Store store = session.getStore("imaps")) {
            store.connect("127.0.0.1", HATO.port("imaps"), ivy.authId(), ivy.password());
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            // more than one read-ahead window (50), and one header too long to be read ahead (over 16 KiB)
            Message[] drafts = new Message[120];
            for (int i = 0; i < drafts.length; i++) {
                MimeMessage draft = new MimeMessage(session);
                draft.setFrom("ivy@example.test");
                draft.setSubject("listing " + i);
                draft.setHeader("X-Seq", Integer.toString(i));
                if (i == 77) {
                    // folded: APPEND refuses header lines over 998 octets (RFC 5322 §2.1.1)
                    draft.setHeader("X-Long", "x".repeat(900) + "\r\n x".repeat(20_000 / 3));
                }
                draft.setText("body " + i + "\r\n");
                draft.saveChanges();
                drafts[i] = draft;
            }
            inbox.appendUIDMessages(drafts);

            inbox.open(Folder.READ_ONLY);
            Message[] listed = inbox.getMessages();
            FetchProfile profile = new FetchProfile();
            profile.add("Subject");
            profile.add("X-Seq");
            profile.add(UIDFolder.FetchProfileItem.UID);
            profile.add(FetchProfile.Item.SIZE);
            inbox.fetch(listed, profile);

            assertThat(listed).hasSize(drafts.length);
            for (int i = 0; i < listed.length; i++) {
                assertThat(listed[i].getHeader("X-Seq")).as("message " + (i + 1)).containsExactly(Integer.toString(i));
                assertThat(listed[i].getSubject()).isEqualTo("listing " + i);
                assertThat(listed[i].getSize()).isPositive();
            }
            assertThat(listed[77].getSize()).isGreaterThan(20_000);
            inbox.close(false);
        }
    }

    private static void deliver(Session session, String to, String subject) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom("someone@remote.example");
        message.setRecipients(Message.RecipientType.TO, to);
        message.setSubject(subject);
        message.setText("hello\n");
        message.saveChanges();
        try (Transport transport = session.getTransport("smtp")) {
            transport.connect("127.0.0.1", HATO.port("smtp"), null, null);
            transport.sendMessage(message, new InternetAddress[] {new InternetAddress(to)});
        }
    }

    private static Properties properties() {
        Properties properties = MailFlowTest.clientProperties();
        for (String protocol : new String[] {"imap", "imaps"}) {
            properties.put("mail." + protocol + ".ssl.trust", "*");
            properties.put("mail." + protocol + ".ssl.checkserveridentity", "false");
            properties.put("mail." + protocol + ".connectiontimeout", "15000");
            properties.put("mail." + protocol + ".timeout", "30000");
        }
        return properties;
    }
}
