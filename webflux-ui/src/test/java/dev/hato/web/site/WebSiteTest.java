package dev.hato.web.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageSearch;
import dev.hato.web.compose.MailSubmission;
import dev.hato.web.login.PasswordCheck;
import dev.hato.web.login.WebUser;
import dev.hato.web.setup.Autoconfig;
import dev.hato.web.setup.ClientSettings;
import dev.hato.web.setup.MtaStsPolicy;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseCookie;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.HttpHandlerConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The HTTPS site's handler as the gateway serves it, driven through WebTestClient: headers, login (success, failure,
 * the address hint, a temporary failure), CSRF, logout, the set-up page, autoconfig, autodiscover and the Apple
 * profile. The password check here is the interface's contract played by a list of known logins; the gateway's
 * tests drive the real authenticator (throttle, lockout, audit) through the same handler.
 */
class WebSiteTest {

    private static final ClientSettings CLIENTS = new ClientSettings("mail.example.test", 993, 995, 465, 8443);
    /** This test never opens the filter page. */
    private static final dev.hato.store.sieve.SieveScripts NO_SCRIPTS = (dev.hato.store.sieve.SieveScripts)
            java.lang.reflect.Proxy.newProxyInstance(WebSiteTest.class.getClassLoader(),
                    new Class<?>[] {dev.hato.store.sieve.SieveScripts.class}, (proxy, method, args) -> {
                        throw new UnsupportedOperationException(method.getName());
                    });
    private static final WebUser ALICE = new WebUser(7, "alice.a.bc-x7q2", "alice@example.test", "Alice");

    private final List<String> checkedFrom = new ArrayList<>();
    private volatile boolean sourceDown;

    private final PasswordCheck passwords = (login, password, client) -> {
        checkedFrom.add(client);
        if (sourceDown) {
            return Mono.just(new PasswordCheck.Unavailable());
        }
        if (login.equals(ALICE.authId()) && password.equals("secret")) {
            return Mono.just(new PasswordCheck.Success(ALICE));
        }
        return Mono.just(new PasswordCheck.Rejected(login.contains("@")));
    };

    /** An account without any mailbox yet: only listings are asked, and answer nothing. */
    private final Mailboxes mailboxes = (Mailboxes) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Mailboxes.class}, (proxy, method, args) -> switch (method.getName()) {
                case "list", "subscriptions", "newest" -> Flux.empty();
                case "statuses" -> reactor.core.publisher.Mono.just(java.util.Map.of());
                default -> throw new UnsupportedOperationException(method.getName());
            });
    private final Blobs blobs = (Blobs) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Blobs.class}, (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
            });

    private final dev.hato.store.contacts.AddressBooks addressBooks = (dev.hato.store.contacts.AddressBooks)
            Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {dev.hato.store.contacts.AddressBooks.class}, (proxy, method, args) -> {
                        throw new UnsupportedOperationException(method.getName());
                    });

    /** The people's settings: none. */
    private final dev.hato.store.directory.Directory directory = (dev.hato.store.directory.Directory)
            Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {dev.hato.store.directory.Directory.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "settings" -> Mono.just(java.util.Map.of());
                        default -> throw new UnsupportedOperationException(method.getName());
                    });

    private final MessageSearch search = (MessageSearch) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {MessageSearch.class}, (proxy, method, args) -> {
                throw new UnsupportedOperationException(method.getName());
            });

    private final MailSubmission submission = new MailSubmission() {
        @Override
        public long maxMessageSize() {
            return 1024 * 1024;
        }

        @Override
        public Mono<Result> submit(WebUser sender, String clientAddress, List<String> recipients,
                                   Flux<java.nio.ByteBuffer> message) {
            return Mono.error(new UnsupportedOperationException("submit"));
        }

        @Override
        public Mono<Long> saveDraft(WebUser sender, Flux<java.nio.ByteBuffer> message, Long replacing) {
            return Mono.error(new UnsupportedOperationException("saveDraft"));
        }

        @Override
        public Mono<Void> discardDraft(WebUser sender, long uid) {
            return Mono.error(new UnsupportedOperationException("discardDraft"));
        }
    };

    private WebTestClient client(boolean hsts) {
        return WebTestClient.bindToServer(new HttpHandlerConnector(WebSite.httpHandler(
                        new WebSettings(Duration.ofMinutes(30), hsts, 1000), passwords, directory, mailboxes, blobs, search,
                        addressBooks, submission,
                        () -> CLIENTS, NO_SCRIPTS, TestScriptCheck::problems)))
                .baseUrl("https://mail.example.test:8443").build();
    }

    private final WebTestClient web = client(false);

    /** A visitor's first look at the form: its CSRF cookie and the token to post with it. */
    private record Form(String csrfCookie, String token) { }

    private Form loginForm(WebTestClient client) {
        EntityExchangeResult<String> page = client.get().uri("/login").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult();
        ResponseCookie cookie = page.getResponseCookies().getFirst(WebSite.CSRF_COOKIE);
        assertThat(cookie).isNotNull();
        assertThat(cookie.isSecure()).isTrue();
        assertThat(cookie.isHttpOnly()).isTrue();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.getResponseBody());
        assertThat(token.find()).as("the form carries a CSRF token").isTrue();
        return new Form(cookie.getValue(), token.group(1));
    }

    private WebTestClient.ResponseSpec postLogin(WebTestClient client, Form form, String user, String password) {
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        fields.add("username", user);
        fields.add("password", password);
        fields.add("_csrf", form.token());
        return client.post().uri("/login").cookie(WebSite.CSRF_COOKIE, form.csrfCookie())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).body(BodyInserters.fromFormData(fields))
                .exchange();
    }

    @Test
    void pagesShouldCarryTheSecurityHeadersAndNoHstsWithASelfSignedCertificate() {
        web.get().uri("/login").exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Content-Security-Policy", WebSite.CONTENT_SECURITY_POLICY)
                .expectHeader().valueEquals("X-Frame-Options", "DENY")
                .expectHeader().valueEquals("Referrer-Policy", "no-referrer")
                .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
                .expectHeader().value(HttpHeaders.CACHE_CONTROL, value -> assertThat(value).contains("no-store"))
                .expectHeader().doesNotExist("Strict-Transport-Security");
        assertThat(WebSite.CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'", "script-src 'self'")
                .doesNotContain("unsafe-inline", "unsafe-eval");
    }

    @Test
    void aRealCertificateShouldAddHsts() {
        client(true).get().uri("/login").exchange().expectStatus().isOk()
                .expectHeader().valueEquals("Strict-Transport-Security", "max-age=31536000");
    }

    @Test
    void aVisitorShouldGetNoSessionAndBeSentToTheLoginForm() {
        EntityExchangeResult<byte[]> mail = web.get().uri("/mail").exchange().expectStatus().is3xxRedirection()
                .expectHeader().location("/login").expectBody().returnResult();
        assertThat(mail.getResponseCookies()).doesNotContainKey(WebSite.SESSION_COOKIE);
        EntityExchangeResult<byte[]> form = web.get().uri("/login").exchange().expectBody().returnResult();
        assertThat(form.getResponseCookies()).doesNotContainKey(WebSite.SESSION_COOKIE);
    }

    @Test
    void theRightAuthIdAndPasswordShouldStartASessionAndShowTheInbox() {
        Form form = loginForm(web);
        EntityExchangeResult<byte[]> login = postLogin(web, form, ALICE.authId(), "secret")
                .expectStatus().is3xxRedirection().expectHeader().location("/mail").expectBody().returnResult();
        ResponseCookie session = login.getResponseCookies().getFirst(WebSite.SESSION_COOKIE);
        assertThat(session).isNotNull();
        assertThat(session.isSecure()).isTrue();
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Lax");
        assertThat(checkedFrom).as("checked once (the mock connector has no client address; GatewayWebmailTest has one)")
                .hasSize(1);

        String inbox = web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session.getValue()).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(inbox).contains("Inbox", "0 messages, 0 unread", "No messages.", ALICE.authId(),
                "action=\"/logout\"");
    }

    @Test
    void aLoginShouldNeverKeepASessionIdThatExistedBefore() {
        Form form = loginForm(web);
        String first = postLogin(web, form, ALICE.authId(), "secret").expectBody().returnResult()
                .getResponseCookies().getFirst(WebSite.SESSION_COOKIE).getValue();
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        fields.add("username", ALICE.authId());
        fields.add("password", "secret");
        fields.add("_csrf", form.token());
        String second = web.post().uri("/login").cookie(WebSite.CSRF_COOKIE, form.csrfCookie())
                .cookie(WebSite.SESSION_COOKIE, first).contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData(fields)).exchange().expectStatus().is3xxRedirection()
                .expectBody().returnResult().getResponseCookies().getFirst(WebSite.SESSION_COOKIE).getValue();
        assertThat(second).isNotEqualTo(first);
        web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, first).exchange().expectStatus().is3xxRedirection();
        web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, second).exchange().expectStatus().isOk();
    }

    @Test
    void aWrongPasswordShouldGoBackToTheFormWithoutASession() {
        Form form = loginForm(web);
        EntityExchangeResult<byte[]> failed = postLogin(web, form, ALICE.authId(), "wrong")
                .expectStatus().is3xxRedirection().expectHeader().location("/login?error=failed")
                .expectBody().returnResult();
        assertThat(failed.getResponseCookies()).doesNotContainKey(WebSite.SESSION_COOKIE);
        web.get().uri("/login?error=failed").exchange().expectBody(String.class)
                .value(body -> assertThat(body).contains("Authentication failed.").doesNotContain("auth ID, not"));
    }

    @Test
    void anAddressTypedAsTheUserNameShouldGetTheProtocolsHint() {
        postLogin(web, loginForm(web), ALICE.address(), "secret")
                .expectStatus().is3xxRedirection().expectHeader().location("/login?error=address");
        web.get().uri("/login?error=address").exchange().expectBody(String.class).value(body -> assertThat(body)
                .contains("Authentication failed: log in with your auth ID, not your e-mail address."));
        web.get().uri("/login?error=address&lang=ja").exchange().expectBody(String.class).value(body ->
                assertThat(body).contains("メールアドレスではなく認証IDでログインしてください"));
    }

    @Test
    void aSourceThatCannotAnswerShouldGiveTheTemporaryFailure() {
        sourceDown = true;
        postLogin(web, loginForm(web), ALICE.authId(), "secret")
                .expectStatus().is3xxRedirection().expectHeader().location("/login?error=unavailable");
        web.get().uri("/login?error=unavailable").exchange().expectBody(String.class).value(body -> assertThat(body)
                .contains("Authentication service temporarily unavailable, try again later."));
    }

    @Test
    void aLoginWithoutTheCsrfTokenShouldBeRefusedUnchecked() {
        Form form = loginForm(web);
        postLogin(web, new Form(form.csrfCookie(), "forged"), ALICE.authId(), "secret")
                .expectStatus().isForbidden();
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        fields.add("username", ALICE.authId());
        fields.add("password", "secret");
        web.post().uri("/login").contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData(fields)).exchange().expectStatus().isForbidden();
        assertThat(checkedFrom).isEmpty();
    }

    @Test
    void logoutShouldNeedTheTokenAndEndTheSession() {
        Form form = loginForm(web);
        String session = postLogin(web, form, ALICE.authId(), "secret").expectBody().returnResult()
                .getResponseCookies().getFirst(WebSite.SESSION_COOKIE).getValue();
        String page = web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session)
                .cookie(WebSite.CSRF_COOKIE, form.csrfCookie()).exchange().expectBody(String.class)
                .returnResult().getResponseBody();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
        assertThat(token.find()).isTrue();

        web.post().uri("/logout").cookie(WebSite.SESSION_COOKIE, session).exchange().expectStatus().isForbidden();
        web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session).exchange().expectStatus().isOk();

        web.post().uri("/logout").cookie(WebSite.SESSION_COOKIE, session).cookie(WebSite.CSRF_COOKIE,
                        form.csrfCookie())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                .body(BodyInserters.fromFormData("_csrf", token.group(1))).exchange()
                .expectStatus().is3xxRedirection().expectHeader().location("/login?logout");
        web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().is3xxRedirection().expectHeader().location("/login");
    }

    @Test
    void theSetupPageShouldShowTheRunningConfigurationInEnglishAndJapanese() {
        web.get().uri("/setup").header(HttpHeaders.ACCEPT_LANGUAGE, "en").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("lang=\"en\"", "mail.example.test", ">993<", ">995<", ">465<", "your auth ID",
                                "Log in to download a profile")
                        .doesNotContain(ALICE.authId(), "/setup/hato.mobileconfig"));
        web.get().uri("/setup").header(HttpHeaders.ACCEPT_LANGUAGE, "ja-JP,ja;q=0.9,en;q=0.5").exchange()
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("lang=\"ja\"", "メールソフトの設定", "あなたの認証ID", ">993<"));
        EntityExchangeResult<String> chosen = web.get().uri("/setup?lang=ja")
                .header(HttpHeaders.ACCEPT_LANGUAGE, "en").exchange().expectBody(String.class).returnResult();
        assertThat(chosen.getResponseBody()).contains("lang=\"ja\"");
        assertThat(chosen.getResponseCookies().getFirst("hato-lang").getValue()).isEqualTo("ja");
        web.get().uri("/setup").cookie("hato-lang", "ja").header(HttpHeaders.ACCEPT_LANGUAGE, "en").exchange()
                .expectBody(String.class).value(body -> assertThat(body).contains("lang=\"ja\""));
    }

    @Test
    void theSetupPageShouldShowTheAuthIdAndTheProfileOnlyAfterLogin() {
        String session = postLogin(web, loginForm(web), ALICE.authId(), "secret").expectBody().returnResult()
                .getResponseCookies().getFirst(WebSite.SESSION_COOKIE).getValue();
        web.get().uri("/setup").cookie(WebSite.SESSION_COOKIE, session).exchange().expectBody(String.class)
                .value(body -> assertThat(body).contains(ALICE.authId(), "/setup/hato.mobileconfig"));
        web.get().uri("/setup/hato.mobileconfig").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().isOk()
                .expectHeader().contentType("application/x-apple-aspen-config")
                .expectHeader().valueEquals(HttpHeaders.CONTENT_DISPOSITION,
                        "attachment; filename=\"mail-mail.example.test.mobileconfig\"")
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("<key>IncomingMailServerUsername</key><string>" + ALICE.authId() + "</string>",
                                "<key>EmailAddress</key><string>alice@example.test</string>",
                                "<key>IncomingMailServerPortNumber</key><integer>993</integer>",
                                "<key>OutgoingMailServerPortNumber</key><integer>465</integer>",
                                "com.apple.mail.managed"));
    }

    @Test
    void theAppleProfileShouldNeedALogin() {
        web.get().uri("/setup/hato.mobileconfig").exchange().expectStatus().is3xxRedirection()
                .expectHeader().location("/login");
    }

    @Test
    void autoconfigShouldDescribeTheServersWithoutAnyAuthId() {
        for (String path : new String[] {"/.well-known/autoconfig/mail/config-v1.1.xml", "/mail/config-v1.1.xml"}) {
            web.get().uri(path + "?emailaddress=alice@example.test").exchange().expectStatus().isOk()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_XML)
                    .expectBody(String.class).value(body -> assertThat(body)
                            .contains("<emailProvider id=\"example.test\">", "<domain>example.test</domain>",
                                    "<incomingServer type=\"imap\">", "<hostname>mail.example.test</hostname>",
                                    "<port>993</port>", "<incomingServer type=\"pop3\">", "<port>995</port>",
                                    "<outgoingServer type=\"smtp\">", "<port>465</port>",
                                    "<socketType>SSL</socketType>",
                                    "<username>" + Autoconfig.AUTH_ID_PLACEHOLDER + "</username>",
                                    "https://mail.example.test:8443/setup")
                            .doesNotContain(ALICE.authId(), "%EMAIL"));
        }
        web.get().uri("/mail/config-v1.1.xml?emailaddress=<script>@x").exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body).doesNotContain("<script>")
                        .contains("<domain>mail.example.test</domain>"));
    }

    @Test
    void autodiscoverShouldAnswerThePoxRequestWithoutALoginName() {
        String request = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Autodiscover xmlns=\"http://schemas."
                + "microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request>"
                + "<EMailAddress>alice@example.test</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft"
                + ".com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>"
                + "</Autodiscover>";
        web.post().uri("/autodiscover/autodiscover.xml").contentType(MediaType.TEXT_XML).bodyValue(request)
                .exchange().expectStatus().isOk()
                .expectBody(String.class).value(body -> assertThat(body)
                        .contains("responseschema/2006a", "<Type>IMAP</Type>", "<Server>mail.example.test</Server>",
                                "<Port>993</Port>", "<Type>POP3</Type>", "<Port>995</Port>", "<Type>SMTP</Type>",
                                "<Port>465</Port>", "<SSL>on</SSL>")
                        .doesNotContain("LoginName", ALICE.authId()));
        web.post().uri("/autodiscover/autodiscover.xml").contentType(MediaType.TEXT_XML)
                .bodyValue("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Autodiscover><Request>"
                        + "<EMailAddress>&e;</EMailAddress></Request></Autodiscover>")
                .exchange().expectStatus().isBadRequest();
        web.post().uri("/autodiscover/autodiscover.xml").contentType(MediaType.TEXT_XML)
                .bodyValue("x".repeat(20_000)).exchange().expectStatus().isEqualTo(413);
    }

    @Test
    void theMtaStsPolicyShouldBeServedOverHttpsWhenPublishedAndOtherwiseNotFound() {
        web.get().uri("/.well-known/mta-sts.txt").exchange().expectStatus().isNotFound();
        ClientSettings published = new ClientSettings("mail.example.test", 993, 995, 465, 8443,
                new MtaStsPolicy(MtaStsPolicy.Mode.ENFORCE, List.of("mail.example.test", "*.mx.example.test"),
                        Duration.ofDays(7)));
        WebTestClient site = WebTestClient.bindToServer(new HttpHandlerConnector(WebSite.httpHandler(
                        new WebSettings(Duration.ofMinutes(30), false, 1000), passwords, directory, mailboxes, blobs, search,
                        addressBooks, submission,
                        () -> published, NO_SCRIPTS, TestScriptCheck::problems)))
                .baseUrl("https://mta-sts.example.test").build();
        site.get().uri("/.well-known/mta-sts.txt").exchange()
                .expectStatus().isOk()
                .expectHeader().contentTypeCompatibleWith(MediaType.TEXT_PLAIN)
                .expectBody(String.class).isEqualTo("version: STSv1\r\nmode: enforce\r\nmx: mail.example.test\r\n"
                        + "mx: *.mx.example.test\r\nmax_age: 604800\r\n");
        assertThatThrownBy(() -> new MtaStsPolicy(MtaStsPolicy.Mode.TESTING, List.of("not a host"), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MtaStsPolicy(MtaStsPolicy.Mode.TESTING, List.of("mail.example.test"),
                Duration.ofDays(400))).hasMessageContaining("max age");
    }

    @Test
    void plainHttpShouldMoveWebmailToHttpsAndKeepAutoconfig() {
        WebTestClient plain = WebTestClient.bindToRouterFunction(WebSite.plainRoutes(() -> CLIENTS)).build();
        plain.get().uri("http://mail.example.test:8080/login?lang=ja").exchange()
                .expectStatus().isEqualTo(301)
                .expectHeader().location("https://mail.example.test:8443/login?lang=ja");
        plain.post().uri("http://mail.example.test:8080/login").exchange().expectStatus().isEqualTo(308);
        plain.get().uri("http://mail.example.test:8080/mail").exchange().expectStatus().isEqualTo(301);
        plain.get().uri("http://mail.example.test:8080/.well-known/autoconfig/mail/config-v1.1.xml").exchange()
                .expectStatus().isOk();
        plain.get().uri("http://mail.example.test:8080/actuator/health").exchange().expectStatus().isNotFound();
    }
}
