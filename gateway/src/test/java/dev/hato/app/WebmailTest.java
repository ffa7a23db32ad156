package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.audit.AuthEvent;
import dev.hato.web.site.WebSite;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.netty.http.client.HttpClient;

/**
 * Webmail on a real Hato: HTTPS with the mail ports' self-signed certificate, logins through the real guarded
 * authenticator (the same throttle, lockout and audit log as IMAP), the INBOX page listing mail delivered by SMTP,
 * and the plain HTTP port's redirects and autoconfig.
 */
class WebmailTest {

    @TempDir
    static Path dataDir;

    private static RunningHato hato;

    @BeforeAll
    static void start() {
        hato = RunningHato.startForLogins(dataDir, "--hato.mta-sts.enabled=true", "--hato.mta-sts.mode=enforce",
                "--hato.mta-sts.max-age=1d");
    }

    @AfterAll
    static void stop() {
        hato.close();
    }

    private static int httpsPort() {
        return hato.httpsPort();
    }

    /** A browser-like client of the HTTPS port from {@code localAddress}, trusting the self-signed certificate. */
    private static WebTestClient https(String localAddress) {
        try {
            var trustAll = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
            HttpClient client = HttpClient.create().bindAddress(() -> new InetSocketAddress(localAddress, 0))
                    .secure(spec -> spec.sslContext(trustAll));
            return WebTestClient.bindToServer(new ReactorClientHttpConnector(client))
                    .baseUrl("https://127.0.0.1:" + httpsPort()).responseTimeout(Duration.ofSeconds(30)).build();
        } catch (javax.net.ssl.SSLException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Form(String cookie, String token) { }

    private static Form form(WebTestClient web) {
        EntityExchangeResult<String> page = web.get().uri("/login").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.getResponseBody());
        assertThat(token.find()).isTrue();
        return new Form(page.getResponseCookies().getFirst(WebSite.CSRF_COOKIE).getValue(), token.group(1));
    }

    /** Posts the login form; the redirect it answers with. */
    private static EntityExchangeResult<byte[]> login(WebTestClient web, String user, String password) {
        Form form = form(web);
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        fields.add("username", user);
        fields.add("password", password);
        fields.add("_csrf", form.token());
        return web.post().uri("/login").cookie(WebSite.CSRF_COOKIE, form.cookie())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).body(BodyInserters.fromFormData(fields))
                .exchange().expectStatus().is3xxRedirection().expectBody().returnResult();
    }

    private static List<AuthEvent> events(RunningHato.User user) {
        return hato.store().auditLog().query(user.authId(), null, 100).collectList().block(Duration.ofSeconds(30));
    }

    /** The Content-Encoding of a GET that accepts gzip, or "identity". */
    private static String encoding(String path) throws javax.net.ssl.SSLException {
        var trustAll = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
        return HttpClient.create().secure(spec -> spec.sslContext(trustAll))
                .headers(headers -> headers.set("Accept-Encoding", "gzip"))
                .get().uri("https://127.0.0.1:" + httpsPort() + path)
                .responseSingle((response, body) -> body.then(reactor.core.publisher.Mono.just(
                        response.status().code() + " " + response.responseHeaders()
                                .get("Content-Encoding", "identity"))))
                .block(Duration.ofSeconds(30));
    }

    @Test
    void aPersonMovingFromTheOldSystemShouldSeeTheirMoveOnTheSettingsPage() {
        RunningHato.User kai = hato.newUser("kaimove");
        String name = "web-old-" + System.nanoTime();
        var backends = hato.store().legacyBackends();
        backends.put(new dev.hato.store.legacy.LegacyBackend(name, new dev.hato.store.legacy.LegacyBackend.Server(
                "127.0.0.1", 993, dev.hato.store.legacy.LegacyBackend.Tls.IMPLICIT), null, null, null, null, null,
                null), false).block(Duration.ofSeconds(30));
        WebTestClient web = https("127.0.0.1");
        String session = login(web, kai.authId(), kai.password()).getResponseCookies()
                .getFirst(WebSite.SESSION_COOKIE).getValue();
        java.util.function.Supplier<String> settings = () -> web.get().uri("/settings")
                .cookie(WebSite.SESSION_COOKIE, session).exchange().expectStatus().isOk().expectBody(String.class)
                .returnResult().getResponseBody();
        assertThat(settings.get()).doesNotContain("mailbox-move");

        backends.setRoute(kai.accountId(), dev.hato.store.legacy.Route.legacy(name)).block(Duration.ofSeconds(30));
        assertThat(settings.get()).contains("id=\"move-old-system\"").doesNotContain("id=\"move-status\"");

        backends.recordMigration(kai.accountId(), name, "moved", true, 321, 0, null).block(Duration.ofSeconds(30));
        backends.recordVerification(kai.accountId(), true).block(Duration.ofSeconds(30));
        backends.setRoute(kai.accountId(), dev.hato.store.legacy.Route.LOCAL).block(Duration.ofSeconds(30));
        assertThat(settings.get()).contains("id=\"move-here\"", ">Moved<", ">321<", "Yes, every message");
        backends.setRoute(kai.accountId(), null).block(Duration.ofSeconds(30));
    }

    @Test
    void styleSheetsAndScriptsShouldGoCompressedAndPagesNot() throws Exception {
        assertThat(encoding("/webjars/bootstrap/5.3.3/css/bootstrap.min.css")).isEqualTo("200 gzip");
        assertThat(encoding("/static/hato.js")).isEqualTo("200 gzip");
        // A page carries the CSRF token beside text a visitor can choose: compressed, its length could tell the
        // token (BREACH).
        assertThat(encoding("/login")).isEqualTo("200 identity");
    }

    @Test
    void aPersonShouldLogInWithTheirAuthIdOverHttpsAndSeeTheirInbox() throws Exception {
        RunningHato.User ann = hato.newUser("ann");
        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<taro@remote.example>",
                "RCPT TO:<" + ann.address() + ">", "DATA",
                "From: =?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(
                        "山田太郎".getBytes(StandardCharsets.UTF_8)) + "?= <taro@remote.example>\r\n"
                        + "Subject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\r\nMessage-ID: <1@remote.example>\r\n"
                        + "\r\nbody\r\n.")).last().asString().startsWith("250");

        WebTestClient web = https("127.0.0.1");
        web.get().uri("/login").exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Content-Security-Policy", WebSite.CONTENT_SECURITY_POLICY)
                .expectHeader().doesNotExist("Strict-Transport-Security");
        EntityExchangeResult<byte[]> loggedIn = login(web, ann.authId(), ann.password());
        assertThat(loggedIn.getResponseHeaders().getLocation()).isEqualTo(URI.create("/mail"));
        ResponseCookie session = loggedIn.getResponseCookies().getFirst(WebSite.SESSION_COOKIE);
        assertThat(session).isNotNull();

        web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session.getValue()).exchange()
                .expectStatus().isOk().expectBody(String.class).value(body -> assertThat(body)
                        .contains("1 messages, 1 unread", "山田太郎", "こんにちは", ann.authId()));
        web.get().uri("/setup").cookie(WebSite.SESSION_COOKIE, session.getValue()).exchange()
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains(ann.authId(), ">" + hato.port("imaps") + "<", ">" + hato.port("pop3s") + "<",
                                ">" + hato.port("submissions") + "<", RunningHato.HOST));

        Eventually.until(() -> events(ann).stream().anyMatch(event -> event.protocol().equals("webmail")
                        && event.result() == AuthEvent.Result.SUCCESS && event.clientIp().equals("127.0.0.1")),
                "the audit log to record the webmail login", Duration.ofSeconds(10));
    }

    @Test
    void aJapaneseMessageFromSmtpShouldReadInWebmailAndWhatWebmailDoesShowInImap() throws Exception {
        RunningHato.User kei = hato.newUser("kei");
        java.nio.charset.Charset jis = java.nio.charset.Charset.forName("ISO-2022-JP");
        byte[] pdf = "%PDF-1.4 tiny".getBytes(StandardCharsets.US_ASCII);
        String body = new String("資料を添付します。".getBytes(jis), StandardCharsets.ISO_8859_1);
        assertThat(SmtpLines.send(hato.port("smtp"), "MAIL FROM:<taro@remote.example>",
                "RCPT TO:<" + kei.address() + ">", "DATA",
                "From: taro@remote.example\r\nSubject: =?ISO-2022-JP?B?"
                        + java.util.Base64.getEncoder().encodeToString("資料".getBytes(jis)) + "?=\r\n"
                        + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
                        + "--x\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + body + "\r\n"
                        + "--x\r\nContent-Type: application/pdf; name=\"=?UTF-8?B?"
                        + java.util.Base64.getEncoder().encodeToString("報告.pdf".getBytes(StandardCharsets.UTF_8))
                        + "?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                        + java.util.Base64.getEncoder().encodeToString(pdf) + "\r\n--x--\r\n.")).last().asString()
                .startsWith("250");

        WebTestClient web = https("127.0.0.1");
        EntityExchangeResult<byte[]> loggedIn = login(web, kei.authId(), kei.password());
        String session = loggedIn.getResponseCookies().getFirst(WebSite.SESSION_COOKIE).getValue();
        Form form = form(web);
        String list = web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session).exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        Matcher open = Pattern.compile("href=\"(/mail/folder/(\\d+)/message/(\\d+))\"").matcher(list);
        assertThat(open.find()).as("a link to the message").isTrue();
        String inboxId = open.group(2);
        String reader = web.get().uri(open.group(1)).cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(reader).contains("資料", "資料を添付します。", "報告.pdf");
        web.get().uri(open.group(1) + "/part/2").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().isOk()
                .expectHeader().contentType(MediaType.APPLICATION_PDF)
                .expectHeader().valueEquals("Content-Disposition",
                        "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%A0%B1%E5%91%8A.pdf")
                .expectBody(byte[].class).isEqualTo(pdf);

        // Found by a word of its ISO-2022-JP body, through the delivery's search index; not by one it lacks.
        assertThat(web.get().uri("/mail?q=添付").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody())
                .contains("href=\"" + open.group(1) + "\"");
        assertThat(web.get().uri("/mail?q=議事録").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody())
                .doesNotContain("href=\"" + open.group(1) + "\"");

        // A folder made in webmail, the message moved there: an IMAP client sees both at once.
        web.post().uri("/mail/folders").cookie(WebSite.SESSION_COOKIE, session).cookie(WebSite.CSRF_COOKIE,
                        form.cookie()).contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData("name", "報告書").with("parent", "").with("_csrf", form.token()))
                .exchange().expectStatus().isSeeOther().expectHeader().location("/mail/folders?done=created");
        String folders = web.get().uri("/mail/folders").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectBody(String.class).returnResult().getResponseBody();
        Matcher folder = Pattern.compile("href=\"/mail/folder/(\\d+)\" data-folder=\"報告書\"").matcher(folders);
        assertThat(folder.find()).as("the new folder in the tree").isTrue();
        web.post().uri("/mail/folder/" + inboxId + "/act").cookie(WebSite.SESSION_COOKIE, session)
                .cookie(WebSite.CSRF_COOKIE, form.cookie()).contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData("action", "move").with("uid", open.group(3))
                        .with("target", folder.group(1)).with("_csrf", form.token()))
                .exchange().expectStatus().isSeeOther();

        try (jakarta.mail.Store imap = MailFlowTest.imaps(hato, kei)) {
            jakarta.mail.Folder moved = imap.getFolder("報告書");
            assertThat(moved.exists()).isTrue();
            moved.open(jakarta.mail.Folder.READ_ONLY);
            assertThat(moved.getMessageCount()).isEqualTo(1);
            jakarta.mail.Message message = moved.getMessage(1);
            assertThat(message.getSubject()).isEqualTo("資料");
            assertThat(message.isSet(jakarta.mail.Flags.Flag.SEEN)).as("read in webmail").isTrue();
            moved.close(false);
            jakarta.mail.Folder inbox = imap.getFolder("INBOX");
            inbox.open(jakarta.mail.Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isZero();
            inbox.close(false);
        }
    }

    @Test
    void aMessageComposedInWebmailShouldReachItsRecipientOverImapAndBeInSent() throws Exception {
        RunningHato.User sender = hato.newUser("writer");
        RunningHato.User reader = hato.newUser("reader");
        WebTestClient web = https("127.0.0.1");
        String session = login(web, sender.authId(), sender.password()).getResponseCookies()
                .getFirst(WebSite.SESSION_COOKIE).getValue();
        Form form = form(web);
        byte[] pdf = "%PDF-1.4 composed".getBytes(StandardCharsets.US_ASCII);
        org.springframework.http.client.MultipartBodyBuilder body =
                new org.springframework.http.client.MultipartBodyBuilder();
        body.part("_csrf", form.token());
        body.part("to", "読者 <" + reader.address() + ">");
        body.part("subject", "ウェブメールから");
        body.part("text", "こんにちは。\r\n添付をご覧ください。");
        body.part("attachment", new org.springframework.core.io.ByteArrayResource(pdf) {
            @Override
            public String getFilename() {
                return "資料.pdf";
            }
        }).contentType(MediaType.APPLICATION_PDF);
        web.post().uri("/mail/compose").cookie(WebSite.SESSION_COOKIE, session)
                .cookie(WebSite.CSRF_COOKIE, form.cookie()).contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(body.build())).exchange()
                .expectStatus().isSeeOther().expectHeader().location("/mail?sent=1");

        try (jakarta.mail.Store imap = MailFlowTest.imaps(hato, reader)) {
            jakarta.mail.Folder inbox = imap.getFolder("INBOX");
            inbox.open(jakarta.mail.Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
            jakarta.mail.internet.MimeMessage message = (jakarta.mail.internet.MimeMessage) inbox.getMessage(1);
            assertThat(message.getSubject()).isEqualTo("ウェブメールから");
            assertThat(((jakarta.mail.internet.InternetAddress) message.getFrom()[0]).getAddress())
                    .isEqualTo(sender.address());
            jakarta.mail.Multipart parts = (jakarta.mail.Multipart) message.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContent().toString()).contains("こんにちは。", "添付をご覧ください。");
            assertThat(parts.getBodyPart(0).getContentType()).containsIgnoringCase("charset=ISO-2022-JP");
            assertThat(jakarta.mail.internet.MimeUtility.decodeText(parts.getBodyPart(1).getFileName()))
                    .isEqualTo("資料.pdf");
            assertThat(parts.getBodyPart(1).getInputStream().readAllBytes()).isEqualTo(pdf);
            assertThat(message.getHeader("Received")[0]).contains("Hato webmail", "with HTTPS");
            inbox.close(false);
        }
        try (jakarta.mail.Store imap = MailFlowTest.imaps(hato, sender)) {
            jakarta.mail.Folder sent = imap.getFolder("Sent");
            sent.open(jakarta.mail.Folder.READ_ONLY);
            assertThat(sent.getMessageCount()).isEqualTo(1);
            assertThat(sent.getMessage(1).getSubject()).isEqualTo("ウェブメールから");
            assertThat(sent.getMessage(1).isSet(jakarta.mail.Flags.Flag.SEEN)).isTrue();
            sent.close(false);
        }

        // A recipient that does not exist here: nothing is sent, the form says why.
        org.springframework.http.client.MultipartBodyBuilder unknown =
                new org.springframework.http.client.MultipartBodyBuilder();
        unknown.part("_csrf", form.token());
        unknown.part("to", "nobody-here@" + RunningHato.DOMAIN);
        unknown.part("subject", "lost");
        unknown.part("text", "x");
        assertThat(web.post().uri("/mail/compose").cookie(WebSite.SESSION_COOKIE, session)
                .cookie(WebSite.CSRF_COOKIE, form.cookie()).contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(unknown.build())).exchange()
                .expectStatus().isEqualTo(422).expectBody(String.class).returnResult().getResponseBody())
                .contains("nobody-here@");
    }

    @Test
    void draftsShouldBeKeptInDraftsReplacedOpenedAgainAndGoneOnceSent() throws Exception {
        RunningHato.User writer = hato.newUser("drafter");
        RunningHato.User reader = hato.newUser("draftreader");
        WebTestClient web = https("127.0.0.1");
        String session = login(web, writer.authId(), writer.password()).getResponseCookies()
                .getFirst(WebSite.SESSION_COOKIE).getValue();
        Form form = form(web);
        String first = web.post().uri("/mail/compose/draft").cookie(WebSite.SESSION_COOKIE, session)
                .cookie(WebSite.CSRF_COOKIE, form.cookie()).contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData("_csrf", form.token()).with("to", reader.address())
                        .with("bcc", "copy@" + RunningHato.DOMAIN).with("subject", "書きかけ").with("text", "一行目"))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        String uid = first.replaceAll("\\D", "");
        String second = web.post().uri("/mail/compose/draft").cookie(WebSite.SESSION_COOKIE, session)
                .cookie(WebSite.CSRF_COOKIE, form.cookie()).contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData("_csrf", form.token()).with("to", reader.address())
                        .with("subject", "書きかけ").with("text", "一行目\r\n二行目").with("draftUid", uid))
                .exchange().expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        String newUid = second.replaceAll("\\D", "");
        assertThat(newUid).isNotEqualTo(uid);

        var drafts = hato.store().mailboxes().find(hato.store().directory().findByAuthId(writer.authId())
                .block().id(), "Drafts").block();
        assertThat(drafts.specialUse()).isEqualTo("\\Drafts");
        long account = drafts.accountId();
        var kept = hato.store().mailboxes().messages(account, drafts.id()).collectList().block();
        assertThat(kept).hasSize(1);
        assertThat(kept.get(0).uid()).isEqualTo(Long.parseLong(newUid));
        assertThat(kept.get(0).flags()).contains("\\Draft", "\\Seen");

        String reopened = web.get().uri("/mail/compose?draft=" + drafts.id() + "/" + newUid)
                .cookie(WebSite.SESSION_COOKIE, session).exchange().expectStatus().isOk().expectBody(String.class)
                .returnResult().getResponseBody();
        assertThat(reopened).contains("value=\"書きかけ\"", "一行目\n二行目", "value=\"" + newUid + "\"",
                reader.address());

        web.post().uri("/mail/compose").cookie(WebSite.SESSION_COOKIE, session)
                .cookie(WebSite.CSRF_COOKIE, form.cookie()).contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData("_csrf", form.token()).with("to", reader.address())
                        .with("subject", "書きかけ").with("text", "完成").with("draftUid", newUid))
                .exchange().expectStatus().isSeeOther();
        assertThat(hato.store().mailboxes().messages(account, drafts.id()).collectList().block()).isEmpty();
        assertThat(hato.inbox(reader)).hasSize(1);
    }

    @Test
    void theHttpsPortShouldLimitConnectionsPerAddressAsTheMailPortsDo() throws Exception {
        List<java.net.Socket> held = new java.util.ArrayList<>();
        try {
            // hato.max-connections-per-address (100 by default), from an address no other test uses: 105 connect,
            // the server closes the 5 it counts last (which ones depends on the order it accepts them in).
            for (int i = 0; i < 105; i++) {
                java.net.Socket socket = new java.net.Socket();
                socket.bind(new InetSocketAddress("127.0.0.3", 0));
                socket.connect(new InetSocketAddress("127.0.0.1", httpsPort()), 5000);
                held.add(socket);
            }
            Thread.sleep(1000);
            int closed = 0;
            for (java.net.Socket socket : held) {
                socket.setSoTimeout(50);
                try {
                    closed += socket.getInputStream().read() == -1 ? 1 : 0;
                } catch (java.net.SocketTimeoutException open) {
                    // still open: the server waits for its TLS handshake
                } catch (java.io.IOException reset) {
                    closed++;
                }
            }
            assertThat(closed).as("connections over the limit closed").isEqualTo(5);
            web().get().uri("/login").exchange().expectStatus().isOk(); // others are served
        } finally {
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
        Eventually.until(() -> {
            try {
                return https("127.0.0.3").get().uri("/login").exchange().returnResult(String.class).getStatus()
                        .value() == 200;
            } catch (RuntimeException e) {
                return false;
            }
        }, "the address to be served again once its connections closed", Duration.ofSeconds(20));
    }

    private static WebTestClient web() {
        return https("127.0.0.1");
    }

    @Test
    void webmailFailuresShouldLockTheAddressOutOfTheAuthIdForIMAPToo() throws Exception {
        RunningHato.User owner = hato.newUser("owner");
        WebTestClient guesser = https("127.0.0.1");
        for (int i = 0; i < 10; i++) {
            assertThat(login(guesser, owner.authId(), "guess-" + i).getResponseHeaders().getLocation())
                    .isEqualTo(URI.create("/login?error=failed"));
        }
        assertThat(login(guesser, owner.authId(), owner.password()).getResponseHeaders().getLocation())
                .as("locked out: the temporary failure, even with the right password")
                .isEqualTo(URI.create("/login?error=unavailable"));
        try (SocketTransport imap = new SocketTransport(hato.port("imaps"), true, "127.0.0.1")) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send(("a1 LOGIN \"" + owner.authId() + "\" \"" + owner.password() + "\"\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            String answer = imap.readLine();
            while (answer.startsWith("* ")) {
                answer = imap.readLine();
            }
            assertThat(answer).as("the same lockout for IMAP").startsWith("a1 NO [UNAVAILABLE]");
        }
        assertThat(login(https("127.0.0.2"), owner.authId(), owner.password()).getResponseHeaders().getLocation())
                .as("the owner, from an address that did not fail").isEqualTo(URI.create("/mail"));
        assertThat(login(https("127.0.0.2"), owner.address(), owner.password()).getResponseHeaders().getLocation())
                .as("an address typed as the user name").isEqualTo(URI.create("/login?error=address"));
        Eventually.until(() -> events(owner).stream().filter(e -> e.protocol().equals("webmail")).count() >= 12,
                "the audit log to record the webmail attempts", Duration.ofSeconds(10));
        assertThat(events(owner)).filteredOn(e -> e.protocol().equals("webmail")).extracting(AuthEvent::result)
                .contains(AuthEvent.Result.REJECTED, AuthEvent.Result.LOCKED, AuthEvent.Result.SUCCESS);
    }

    @Test
    void thePlainHttpPortShouldRedirectWebmailAndServeAutoconfigAndHealth() {
        WebTestClient plain = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + hato.httpPort()).build();
        plain.get().uri("/mail?x=1").exchange().expectStatus().isEqualTo(301).expectHeader()
                .location("https://127.0.0.1:" + httpsPort() + "/mail?x=1");
        plain.get().uri("/login").exchange().expectStatus().isEqualTo(301);
        plain.get().uri("/health").exchange().expectStatus().isOk();
        plain.get().uri("/actuator/health").exchange().expectStatus().isNotFound();
        // RFC 8461 §3.3: the policy over HTTPS only; the plain port has nothing there (and redirects none).
        https("127.0.0.1").get().uri("/.well-known/mta-sts.txt").exchange().expectStatus().isOk()
                .expectBody(String.class).isEqualTo("version: STSv1\r\nmode: enforce\r\nmx: "
                        + RunningHato.HOST + "\r\nmax_age: 86400\r\n");
        plain.get().uri("/.well-known/mta-sts.txt").exchange().expectStatus().isNotFound();
        plain.get().uri("/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=x@" + RunningHato.DOMAIN)
                .exchange().expectStatus().isOk().expectBody(String.class).value(body -> assertThat(body)
                        .contains("<hostname>" + RunningHato.HOST + "</hostname>",
                                "<port>" + hato.port("imaps") + "</port>"));
        WebTestClient management = WebTestClient.bindToServer()
                .baseUrl("http://127.0.0.1:" + hato.managementPort()).build();
        management.get().uri("/actuator/health").exchange().expectStatus().isOk();
        management.get().uri("/login").exchange().expectStatus().isNotFound();
    }
}
