package dev.hato.web.site;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.mail.Blobs;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.MailboxStatus;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import dev.hato.web.login.PasswordCheck;
import dev.hato.web.login.WebUser;
import dev.hato.web.setup.ClientSettings;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.HttpHandlerConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The INBOX page over a mailbox of 60 messages, as the store's {@link Mailboxes} and {@link Blobs} describe them:
 * newest first, 50 a page, subjects and senders decoded from the header section, unread and flagged marked, the
 * older rows as a page and as the htmx fragment; and the idle timeout of a session.
 */
class InboxPageTest {

    private static final WebUser BOB = new WebUser(3, "bob.b.cd-k2m9", "bob@example.test", "Bob");
    private static final long INBOX = 11;

    private final List<MessageMeta> rows = LongStream.rangeClosed(1, 60).mapToObj(uid -> new MessageMeta(3, INBOX,
            uid, uid, 1000 + uid, 200, Instant.parse("2026-01-01T00:00:00Z").plusSeconds(uid * 60),
            uid == 60 ? Set.of("\\Flagged") : uid % 2 == 0 ? Set.of("\\Seen") : Set.of())).toList();

    private final Mailboxes mailboxes = (Mailboxes) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Mailboxes.class}, (proxy, method, args) -> switch (method.getName()) {
                case "find" -> args[1].equals("INBOX") && (long) args[0] == 3
                        ? Mono.just(new MailboxInfo(INBOX, 3, "INBOX", 1, 61, 60, null, 61)) : Mono.empty();
                case "status" -> Mono.just(new MailboxStatus(60, 0, 30, 61, 1, 60, 12000, 0));
                case "messages" -> Flux.fromIterable(rows);
                default -> throw new UnsupportedOperationException(method.getName());
            });

    @SuppressWarnings("unchecked")
    private final Blobs blobs = (Blobs) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {Blobs.class}, (proxy, method, args) -> {
                if (!method.getName().equals("heads")) {
                    throw new UnsupportedOperationException(method.getName());
                }
                Map<Long, ByteBuffer> heads = new HashMap<>();
                for (Long blob : ((Map<Long, Integer>) args[0]).keySet()) {
                    long uid = blob - 1000;
                    String header = uid == 60
                            ? "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\n"
                            + "Subject: =?UTF-8?B?5pel5pys6Kqe?=\r\n\tfolded\r\n\r\nbody"
                            : "From: sender" + uid + "@example.org\r\nSubject: message " + uid + "\r\n\r\nbody";
                    heads.put(blob, ByteBuffer.wrap(header.getBytes(StandardCharsets.UTF_8)));
                }
                return Mono.just(heads);
            });

    private final PasswordCheck passwords = (login, password, client) ->
            Mono.just(login.equals(BOB.authId()) ? new PasswordCheck.Success(BOB) : new PasswordCheck.Rejected(false));

    private WebTestClient client(Duration idle) {
        return WebTestClient.bindToServer(new HttpHandlerConnector(WebSite.httpHandler(
                        new WebSettings(idle, false, 100), passwords, mailboxes, blobs,
                        () -> new ClientSettings("mail.example.test", 993, 995, 465, 443))))
                .baseUrl("https://mail.example.test").build();
    }

    private static String login(WebTestClient web) {
        EntityExchangeResult<String> page = web.get().uri("/login").exchange().expectBody(String.class).returnResult();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page.getResponseBody());
        assertThat(token.find()).isTrue();
        MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
        fields.add("username", BOB.authId());
        fields.add("password", "any");
        fields.add("_csrf", token.group(1));
        return web.post().uri("/login")
                .cookie(WebSite.CSRF_COOKIE, page.getResponseCookies().getFirst(WebSite.CSRF_COOKIE).getValue())
                .contentType(MediaType.APPLICATION_FORM_URLENCODED).body(BodyInserters.fromFormData(fields))
                .exchange().expectStatus().is3xxRedirection().expectBody().returnResult()
                .getResponseCookies().getFirst(WebSite.SESSION_COOKIE).getValue();
    }

    private static List<String> uids(String html) {
        Matcher uid = Pattern.compile("data-uid=\"(\\d+)\"").matcher(html);
        List<String> found = new java.util.ArrayList<>();
        while (uid.find()) {
            found.add(uid.group(1));
        }
        return found;
    }

    @Test
    void theInboxShouldListTheNewestFiftyDecodedAndMarked() {
        WebTestClient web = client(Duration.ofMinutes(30));
        String session = login(web);
        String page = web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(page).contains("60 messages, 30 unread", "山田", "日本語 folded", "message 59", "sender59@example.org",
                "href=\"/mail?before=11\"", "hx-get=\"/mail/rows?before=11\"");
        List<String> uids = uids(page);
        assertThat(uids).hasSize(50).startsWith("60", "59").endsWith("11");
        assertThat(page).contains("data-uid=\"59\" class=\"unseen\"", "data-uid=\"58\" class=\"seen\"", "Flagged");

        String older = web.get().uri("/mail/rows?before=11").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(older).doesNotContain("<html", "<head", "older-row");
        assertThat(uids(older)).hasSize(10).startsWith("10").endsWith("1");
        assertThat(web.get().uri("/mail?before=11").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectBody(String.class).returnResult().getResponseBody()).contains("Newest messages", "<html");
    }

    @Test
    void aSessionShouldEndAfterTheIdleTimeout() throws InterruptedException {
        WebTestClient web = client(Duration.ofSeconds(1));
        String session = login(web);
        web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session).exchange().expectStatus().isOk();
        Thread.sleep(1500);
        web.get().uri("/mail").cookie(WebSite.SESSION_COOKIE, session).exchange()
                .expectStatus().is3xxRedirection().expectHeader().location("/login");
    }
}
