package dev.hato.web.site;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageContent;
import dev.hato.store.mail.MessageFacts;
import dev.hato.store.mail.MessageMeta;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import dev.hato.web.login.PasswordCheck;
import dev.hato.web.login.WebUser;
import dev.hato.web.setup.ClientSettings;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.http.HttpHeaders;
import org.springframework.http.codec.ServerSentEvent;
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
 * The mail pages over a real store (embedded PostgreSQL): the folder tree with unread counts, message lists with
 * paging and previews, reading (decoded Japanese in ISO-2022-JP, Shift_JIS and EUC-JP, RFC 2231 attachment names,
 * downloads), HTML made safe in its own sandboxed document, the actions on messages and the folder operations, and
 * that nobody reaches another person's folders.
 */
class MailPagesTest {

    private static final AtomicInteger PEOPLE = new AtomicInteger();
    private static final String CRLF = "\r\n";
    private static final Charset ISO_2022_JP = Charset.forName("ISO-2022-JP");

    /** What the site handed to the gateway to send: recorded, never sent (the gateway's own tests send). */
    record Submitted(String sender, List<String> recipients, byte[] message) { }

    static final List<Submitted> SUBMISSIONS = new java.util.concurrent.CopyOnWriteArrayList<>();
    static volatile String refusal;

    static final dev.hato.web.compose.MailSubmission SUBMITTED = new dev.hato.web.compose.MailSubmission() {
        @Override
        public long maxMessageSize() {
            return 64 * 1024;
        }

        @Override
        public Mono<Result> submit(WebUser sender, String clientAddress, List<String> recipients,
                                   Flux<ByteBuffer> message) {
            return message.collect(java.io.ByteArrayOutputStream::new, (out, chunk) -> {
                byte[] octets = new byte[chunk.remaining()];
                chunk.duplicate().get(octets);
                out.writeBytes(octets);
            }).map(out -> {
                if (refusal != null) {
                    return new Refused(refusal, true);
                }
                SUBMISSIONS.add(new Submitted(sender.address(), recipients, out.toByteArray()));
                return new Sent(recipients.size());
            });
        }

        @Override
        public Mono<Long> saveDraft(WebUser sender, Flux<ByteBuffer> message, Long replacing) {
            return message.collect(java.io.ByteArrayOutputStream::new, (out, chunk) -> {
                byte[] octets = new byte[chunk.remaining()];
                chunk.duplicate().get(octets);
                out.writeBytes(octets);
            }).map(out -> {
                DRAFTS.add(new Submitted(sender.address(), replacing == null ? List.of() : List.of("" + replacing),
                        out.toByteArray()));
                return 100L + DRAFTS.size();
            });
        }

        @Override
        public Mono<Void> discardDraft(WebUser sender, long uid) {
            DISCARDED.add(uid);
            return Mono.empty();
        }
    };

    static final List<Submitted> DRAFTS = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final List<Long> DISCARDED = new java.util.concurrent.CopyOnWriteArrayList<>();

    static final int POOL = 3;

    @TempDir
    static Path data;
    static PgStore store;

    @BeforeAll
    static void open() {
        // A small pool, so that a page holding one connection while it asks for another shows here as a stall.
        store = PgStore.open(StoreSettings.defaults(data).withPoolSize(POOL));
        store.directory().addDomain("pages.example.test").block();
    }

    @AfterAll
    static void close() {
        store.close();
    }

    // ---------------------------------------------------------------------------------------------------- set-up

    static Account person() {
        String authId = "p" + PEOPLE.incrementAndGet() + ".m.ail-x1";
        return store.directory().addAccount(new NewAccount(authId + "@pages.example.test", authId, "Person", null))
                .block();
    }

    static MailboxInfo inbox(Account account) {
        return store.mailboxes().find(account.id(), "INBOX").block();
    }

    private static long append(Account account, MailboxInfo box, byte[] message, String preview, String... flags) {
        return indexed(account, box, message, "", "", preview, flags);
    }

    /** With the text the delivery indexer would store for search (already in search form). */
    private static long indexed(Account account, MailboxInfo box, byte[] message, String headerText,
                                String bodyText, String preview, String... flags) {
        return sortable(account, box, message, headerText, bodyText, new MessageFacts.SortFields("", "", "", "", null,
                null, List.of(), null, null), preview, flags);
    }

    /** With the search text and the sort fields the delivery indexer would store. */
    private static long sortable(Account account, MailboxInfo box, byte[] message, String headerText,
                                 String bodyText, MessageFacts.SortFields sort, String preview, String... flags) {
        MessageFacts facts = new MessageFacts(new byte[0], headerText, bodyText, sort, preview);
        return store.mailboxes().append(account.id(), box.id(), new Bytes(message), facts, Set.of(flags),
                Instant.parse("2026-12-01T09:00:00Z")).block().uid();
    }

    static long append(Account account, byte[] message, String... flags) {
        return append(account, inbox(account), message, "", flags);
    }

    private record Bytes(byte[] bytes) implements MessageContent {
        @Override
        public byte[] sha256() {
            try {
                return MessageDigest.getInstance("SHA-256").digest(bytes);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public Flux<ByteBuffer> chunks() {
            // Small chunks, so a part's octets are cut across several.
            return Flux.range(0, (bytes.length + 99) / 100).map(i -> ByteBuffer.wrap(bytes, i * 100,
                    Math.min(100, bytes.length - i * 100)).slice());
        }
    }

    /** A logged-in browser: its cookies, kept from response to response, and the CSRF token of the last page. */
    static final class Browser {
        final WebTestClient web;
        /** The same site for requests sent side by side (the test client waits for each answer). */
        final org.springframework.web.reactive.function.client.WebClient client;
        final Map<String, String> cookies = new HashMap<>();
        String token = "";

        Browser(Account account) {
            this(account, Duration.ofMinutes(30));
        }

        Browser(Account account, Duration idleTimeout) {
            this(account, idleTimeout, dev.hato.web.settings.MailboxMoves.NONE);
        }

        Browser(Account account, Duration idleTimeout, dev.hato.web.settings.MailboxMoves moves) {
            this(account, idleTimeout, moves, null);
        }

        Browser(Account account, Duration idleTimeout, dev.hato.web.settings.MailboxMoves moves,
                dev.hato.web.admin.@org.jspecify.annotations.Nullable AdminRoutes admin) {
            this(store, account, idleTimeout, moves, admin);
        }

        Browser(PgStore store, Account account, Duration idleTimeout, dev.hato.web.settings.MailboxMoves moves,
                dev.hato.web.admin.@org.jspecify.annotations.Nullable AdminRoutes admin) {
            WebUser user = new WebUser(account.id(), account.authId(), account.address(), "Person");
            PasswordCheck passwords = (login, password, client) -> Mono.just(login.equals(account.authId())
                    ? new PasswordCheck.Success(user) : new PasswordCheck.Rejected(false));
            HttpHandlerConnector site = new HttpHandlerConnector(WebSite.httpHandler(
                    new WebSettings(idleTimeout, false, 100), passwords, store.directory(), store.mailboxes(),
                    store.blobs(), store.search(), store.addressBooks(), SUBMITTED,
                    () -> new ClientSettings("mail.example.test", 993, 995, 465, 443), store.sieveScripts(),
                    TestScriptCheck::problems, moves, admin));
            web = WebTestClient.bindToServer(site).baseUrl("https://mail.example.test")
                    .responseTimeout(Duration.ofSeconds(30)).build();
            client = org.springframework.web.reactive.function.client.WebClient.builder().clientConnector(site)
                    .baseUrl("https://mail.example.test").build();
            get("/login");
            post("/login", "username", account.authId(), "password", "any");
            assertThat(cookies).containsKey(WebSite.SESSION_COOKIE);
        }

        EntityExchangeResult<byte[]> fetch(String path) {
            EntityExchangeResult<byte[]> result = web.get().uri(path).cookies(jar -> cookies.forEach(jar::add))
                    .exchange().expectBody().returnResult();
            keep(result);
            return result;
        }

        String get(String path) {
            EntityExchangeResult<byte[]> result = fetch(path);
            assertThat(result.getStatus().value()).as("GET " + path).isEqualTo(200);
            return new String(result.getResponseBody(), StandardCharsets.UTF_8);
        }

        int status(String path) {
            return fetch(path).getStatus().value();
        }

        /** Posts a form with the page's CSRF token; returns where it redirected to. */
        String post(String path, String... fields) {
            EntityExchangeResult<byte[]> result = postForm(path, fields);
            assertThat(result.getStatus().is3xxRedirection()).as("POST " + path + ": " + result.getStatus()).isTrue();
            return result.getResponseHeaders().getLocation().toString();
        }

        /** Posts a form (names and values, a name may repeat) with the page's CSRF token; the whole result. */
        EntityExchangeResult<byte[]> postForm(String path, String... fields) {
            MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
            for (int i = 0; i < fields.length; i += 2) {
                form.add(fields[i], fields[i + 1]);
            }
            form.add("_csrf", token);
            EntityExchangeResult<byte[]> result = web.post().uri(path).cookies(jar -> cookies.forEach(jar::add))
                    .contentType(MediaType.APPLICATION_FORM_URLENCODED).body(BodyInserters.fromFormData(form))
                    .exchange().expectBody().returnResult();
            keep(result);
            return result;
        }

        /** Posts one file as the multipart field {@code file}, with the page's CSRF token; the whole result. */
        EntityExchangeResult<byte[]> upload(String path, String filename, byte[] octets) {
            org.springframework.http.client.MultipartBodyBuilder body =
                    new org.springframework.http.client.MultipartBodyBuilder();
            body.part("_csrf", token);
            body.part("file", new org.springframework.core.io.ByteArrayResource(octets) {
                @Override
                public String getFilename() {
                    return filename;
                }
            }).contentType(MediaType.APPLICATION_OCTET_STREAM);
            EntityExchangeResult<byte[]> result = web.post().uri(path).cookies(jar -> cookies.forEach(jar::add))
                    .contentType(MediaType.MULTIPART_FORM_DATA).body(BodyInserters.fromMultipartData(body.build()))
                    .exchange().expectBody().returnResult();
            keep(result);
            return result;
        }

        /** Posts the compose form (multipart, with the page's CSRF token and any files); the whole result. */
        EntityExchangeResult<byte[]> compose(Map<String, String> fields, Map<String, byte[]> files) {
            org.springframework.http.client.MultipartBodyBuilder body =
                    new org.springframework.http.client.MultipartBodyBuilder();
            body.part("_csrf", token);
            fields.forEach(body::part);
            files.forEach((name, octets) -> body.part("attachment", new org.springframework.core.io.ByteArrayResource(
                    octets) {
                @Override
                public String getFilename() {
                    return name;
                }
            }).contentType(MediaType.APPLICATION_PDF));
            EntityExchangeResult<byte[]> result = web.post().uri("/mail/compose")
                    .cookies(jar -> cookies.forEach(jar::add)).contentType(MediaType.MULTIPART_FORM_DATA)
                    .body(BodyInserters.fromMultipartData(body.build())).exchange().expectBody().returnResult();
            keep(result);
            return result;
        }

        private void keep(EntityExchangeResult<byte[]> result) {
            for (List<ResponseCookie> set : result.getResponseCookies().values()) {
                for (ResponseCookie cookie : set) {
                    cookies.put(cookie.getName(), cookie.getValue());
                }
            }
            if (result.getResponseBody() != null) {
                Matcher found = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"")
                        .matcher(new String(result.getResponseBody(), StandardCharsets.UTF_8));
                if (found.find()) {
                    token = found.group(1);
                }
            }
        }
    }

    static List<Long> uids(String html) {
        Matcher uid = Pattern.compile("<tr data-uid=\"(\\d+)\"").matcher(html);
        List<Long> found = new java.util.ArrayList<>();
        while (uid.find()) {
            found.add(Long.parseLong(uid.group(1)));
        }
        return found;
    }

    private static String b64(byte[] octets) {
        return Base64.getMimeEncoder(76, CRLF.getBytes(StandardCharsets.US_ASCII)).encodeToString(octets);
    }

    // ---------------------------------------------------------------------------------------------------- tests

    @Test
    void theInboxShouldListTheNewestFiftyWithFoldersCountsAndPreviews() {
        Account bob = person();
        MailboxInfo box = inbox(bob);
        for (int i = 1; i <= 60; i++) {
            String header = i == 60
                    ? "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>\r\nSubject: =?UTF-8?B?5pel5pys6Kqe?="
                    + "\r\n\tfolded"
                    : "From: sender" + i + "@example.org\r\nSubject: message " + i;
            append(bob, box, (header + "\r\n\r\nbody " + i + "\r\n").getBytes(StandardCharsets.UTF_8),
                    "preview of " + i, i == 60 ? new String[] {"\\Flagged"} : i % 2 == 0 ? new String[] {"\\Seen"}
                            : new String[0]);
        }
        store.mailboxes().create(bob.id(), "Projects", null).block();
        store.mailboxes().create(bob.id(), "Projects/研究室", null).block();
        Browser browser = new Browser(bob);

        String page = browser.get("/mail");
        assertThat(page).contains("60 messages, 31 unread", "山田", "日本語 folded", "message 59",
                "sender59@example.org", "preview of 59", "href=\"/mail?before=11\"", "hx-get=\"/mail/rows?before=11\"");
        assertThat(uids(page)).hasSize(50).startsWith(60L, 59L).endsWith(11L);
        assertThat(page).contains("data-uid=\"59\" class=\"unseen\"", "data-uid=\"58\" class=\"seen\"", "Flagged");
        // The folder tree: INBOX with its unread count, a child folder indented under its parent.
        assertThat(page).containsPattern("(?s)id=\"folder-tree\".*Inbox.*unread-count[^>]*>31<.*Projects.*depth-1.*研究室");

        String older = browser.get("/mail/rows?before=11");
        assertThat(older).doesNotContain("<html", "<head", "older-row");
        assertThat(uids(older)).hasSize(10).startsWith(10L).endsWith(1L);
        assertThat(browser.get("/mail?before=11")).contains("Newest messages", "<html");
    }

    @Test
    void searchShouldFindJapaneseAndEnglishWordsInHeaderOrBodyAndPage() {
        Account bob = person();
        MailboxInfo box = inbox(bob);
        for (int i = 1; i <= 70; i++) {
            String body = i % 5 == 0 ? "来週の研究会の予定です" : "nothing here " + i;
            indexed(bob, box, ("Subject: s" + i + "\r\n\r\n" + body + "\r\n").getBytes(StandardCharsets.UTF_8),
                    "subject: s" + i + "\n", body, "");
        }
        long report = indexed(bob, box, "Subject: Quarterly REPORT\r\n\r\nsee attached\r\n".getBytes(
                StandardCharsets.US_ASCII), "subject: quarterly report\n", "see attached", "");
        Browser browser = new Browser(bob);

        String found = browser.get("/mail?q=研究会");
        assertThat(uids(found)).containsExactly(70L, 65L, 60L, 55L, 50L, 45L, 40L, 35L, 30L, 25L, 20L, 15L, 10L, 5L);
        assertThat(found).contains("Messages containing &quot;研究会&quot;", "value=\"研究会\"").doesNotContain("older-row");
        // Full-width letters and any case find the same (NFKC, lower case), in the header too.
        assertThat(uids(browser.get("/mail?q=ＲＥＰＯＲＴ")))
                .containsExactly(report);
        assertThat(uids(browser.get("/mail?q=nothing"))).hasSize(50).startsWith(69L, 68L, 67L, 66L, 64L);
        String older = browser.get("/mail?q=nothing");
        assertThat(older).contains("href=\"/mail?before=").contains("&amp;q=nothing");
        Matcher next = Pattern.compile("hx-get=\"(/mail/rows\\?before=\\d+&amp;q=nothing)\"").matcher(older);
        assertThat(next.find()).isTrue();
        assertThat(uids(browser.get(next.group(1).replace("&amp;", "&")))).hasSize(6).endsWith(1L);
        assertThat(uids(browser.get("/mail?q=absent-word"))).isEmpty();
    }

    @Test
    void listsShouldSortByDateSenderSubjectAndSizeAndPage() {
        Account bob = person();
        MailboxInfo box = inbox(bob);
        long zed = sortable(bob, box, "Subject: b\r\n\r\nshort\r\n".getBytes(StandardCharsets.US_ASCII), "", "",
                sort("b", "zed@example.org", null, Instant.parse("2026-01-03T00:00:00Z")), "");
        long amy = sortable(bob, box, ("Subject: Re: c\r\n\r\n" + "long ".repeat(100) + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII), "", "",
                sort("c", "x@example.org", "Amy", Instant.parse("2026-01-01T00:00:00Z")), "");
        long bo = sortable(bob, box, "Subject: a\r\n\r\nmid mid mid\r\n".getBytes(StandardCharsets.US_ASCII), "",
                "", sort("a", "bob@example.org", null, null), "");
        Browser browser = new Browser(bob);

        assertThat(uids(browser.get("/mail?sort=from"))).containsExactly(amy, bo, zed);
        assertThat(uids(browser.get("/mail?sort=from&order=desc"))).containsExactly(zed, bo, amy);
        assertThat(uids(browser.get("/mail?sort=subject&order=asc"))).containsExactly(bo, zed, amy);
        // No Date field: its arrival time counts (RFC 5256), here the newest.
        assertThat(uids(browser.get("/mail?sort=date&order=desc"))).containsExactly(bo, zed, amy);
        assertThat(uids(browser.get("/mail?sort=size&order=desc"))).containsExactly(amy, bo, zed);
        assertThat(uids(browser.get("/mail?sort=arrival&order=asc"))).containsExactly(zed, amy, bo);
        assertThat(browser.get("/mail?sort=size&order=desc")).containsPattern("<option value=\"size\"\\s+selected");
        assertThat(uids(browser.get("/mail?sort=nonsense"))).containsExactly(bo, amy, zed);

        for (int i = 0; i < 57; i++) {
            sortable(bob, box, ("Subject: n" + i + "\r\n\r\nx\r\n").getBytes(StandardCharsets.US_ASCII), "", "",
                    sort(String.format("n%02d", i), "n@example.org", null, null), "");
        }
        String first = browser.get("/mail?sort=subject&order=asc");
        assertThat(uids(first)).hasSize(50).startsWith(bo, zed, amy);
        assertThat(first).contains("href=\"/mail?sort=subject&amp;order=asc&amp;page=2\"");
        String second = browser.get("/mail?sort=subject&order=asc&page=2");
        assertThat(uids(second)).hasSize(10);
        assertThat(second).contains("First page").doesNotContain("older-row");
    }

    /**
     * Many pages at once, more than the pool has connections, each reading several things: every one answers. (A
     * page that kept the folder list's connection while it read each folder's counts took the whole pool with ten
     * browsers and stalled the server until the pool's 30-second timeout.)
     */
    @Test
    void pagesAskedForAllAtOnceShouldNeverWaitForEachOthersConnections() {
        Account bob = person();
        MailboxInfo box = inbox(bob);
        for (int i = 0; i < 5; i++) {
            threaded(bob, box, "Plan " + i, "plan " + i, "page" + i + "@x", i);
        }
        Browser browser = new Browser(bob);
        List<String> pages = List.of("/mail", "/mail?sort=subject", "/mail?sort=thread", "/mail/compose",
                "/mail/folders", "/mail?q=plan");
        List<Integer> statuses = Flux.range(0, 8 * POOL)
                .flatMap(i -> browser.client.get().uri(pages.get(i % pages.size()))
                        .cookies(jar -> browser.cookies.forEach(jar::add))
                        .exchangeToMono(response -> response.releaseBody().thenReturn(response.statusCode().value())),
                        8 * POOL)
                .collectList().block(Duration.ofSeconds(25));
        assertThat(statuses).hasSize(8 * POOL).containsOnly(200);
        for (String page : pages) {
            assertThat(browser.status(page)).as(page).isEqualTo(200);
        }
    }

    @Test
    void conversationsShouldGatherRepliesIndentedWithTheNewestConversationFirst() {
        Account bob = person();
        MailboxInfo box = inbox(bob);
        long plan = threaded(bob, box, "Plan", "plan", "a@x", 1);
        long other = threaded(bob, box, "Other", "other", "b@x", 2);
        long reply = threaded(bob, box, "Re: Plan", "plan", "a1@x", 3, "a@x");
        long replyToReply = threaded(bob, box, "Re: Re: Plan", "plan", "a2@x", 4, "a@x", "a1@x");
        long secondReply = threaded(bob, box, "Re: Plan", "plan", "a3@x", 5, "a@x");
        // Its parent is not in the folder (a dummy in RFC 5256 terms): it starts a conversation of its own.
        long orphan = threaded(bob, box, "Re: Lost", "lost", "c@x", 6, "gone@x");
        Browser browser = new Browser(bob);

        String page = browser.get("/mail?sort=thread");
        assertThat(page).containsPattern("<option value=\"thread\"\\s+selected").contains("data-live=\"on\"");
        assertThat(uids(page)).containsExactly(orphan, plan, reply, replyToReply, secondReply, other);
        assertThat(depths(page)).containsExactly(0, 0, 1, 2, 1, 0);
        assertThat(page).containsPattern("data-uid=\"" + plan + "\"[\\s\\S]*?class=\"conversation[^>]*>4</span>");

        long late = threaded(bob, box, "Re: Other", "other", "b1@x", 7, "b@x");
        assertThat(uids(browser.get("/mail?sort=thread"))).containsExactly(other, late, orphan, plan, reply,
                replyToReply, secondReply);
        assertThat(uids(browser.get("/mail?sort=thread&order=asc"))).containsExactly(plan, reply, replyToReply,
                secondReply, orphan, other, late);
        // The order is kept while no message comes or goes: reading one changes nothing, deleting one does.
        browser.post("/mail/folder/" + box.id() + "/act", "action", "read", "uid", String.valueOf(reply));
        assertThat(uids(browser.get("/mail?sort=thread"))).containsExactly(other, late, orphan, plan, reply,
                replyToReply, secondReply);
        browser.post("/mail/folder/" + box.id() + "/act", "action", "delete", "uid", String.valueOf(orphan));
        assertThat(uids(browser.get("/mail?sort=thread"))).containsExactly(other, late, plan, reply, replyToReply,
                secondReply);

        for (int i = 0; i < 50; i++) {
            threaded(bob, box, "Re: Plan", "plan", "p" + i + "@x", 10 + i, "a@x");
        }
        String first = browser.get("/mail?sort=thread");
        assertThat(browser.get("/mail?sort=thread&page=2")).contains("data-live=\"off\"");
        assertThat(uids(first)).hasSize(50).startsWith(plan, reply, replyToReply, secondReply);
        assertThat(first).contains("href=\"/mail?sort=thread&amp;order=desc&amp;page=2\"");
        assertThat(uids(browser.get("/mail?sort=thread&page=2"))).hasSize(6).endsWith(other, late);
    }

    /** A message with its Message-ID, the References it names (oldest first) and a Date {@code day} days into 2026. */
    private static long threaded(Account account, MailboxInfo box, String subject, String baseSubject,
                                 String messageId, int day, String... references) {
        byte[] message = ("Subject: " + subject + "\r\nMessage-ID: <" + messageId + ">\r\n\r\nx\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        Instant sent = Instant.parse("2026-01-01T00:00:00Z").plus(Duration.ofDays(day));
        return sortable(account, box, message, "", "", new MessageFacts.SortFields(baseSubject, "", "", "", sent,
                "<" + messageId + ">", java.util.Arrays.stream(references).map(r -> "<" + r + ">").toList(), null, null),
                "");
    }

    /** The indentation of each row of a list, in order. */
    private static List<Integer> depths(String html) {
        List<Integer> found = new java.util.ArrayList<>();
        for (String row : html.split("<tr ")) {
            if (row.startsWith("data-uid=") || row.contains(" data-uid=")) {
                Matcher depth = Pattern.compile("class=\"subject(?: depth-(\\d))?\"").matcher(row);
                assertThat(depth.find()).isTrue();
                found.add(depth.group(1) == null ? 0 : Integer.parseInt(depth.group(1)));
            }
        }
        return found;
    }

    private static MessageFacts.SortFields sort(String baseSubject, String from, String displayFrom, Instant sent) {
        return new MessageFacts.SortFields(baseSubject, from, "", "", sent, null, List.of(), displayFrom, null);
    }

    // ---------------------------------------------------------------------------------------------------- compose

    private static String text(byte[] message) {
        return new String(message, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aJapaneseMessageWithAFileShouldBeWrittenForOldAndNewClientsAndSubmitted() {
        Account bob = person();
        Browser browser = new Browser(bob);
        assertThat(browser.get("/mail/compose")).contains("id=\"compose-form\"", "enctype=\"multipart/form-data\"");
        byte[] pdf = new byte[5000];
        new java.util.Random(7).nextBytes(pdf);
        SUBMISSIONS.clear();
        EntityExchangeResult<byte[]> sent = browser.compose(Map.of(
                "to", "山田 太郎 <taro@example.jp>, hanako@example.org",
                "cc", "\"Lab, Members\" <lab@example.ac.jp>",
                "bcc", "secret@example.net",
                "subject", "来週の会議について",
                "text", "山田さん\r\n\r\n資料を添付します。\r\nよろしくお願いします。"),
                Map.of("報告書 第1版.pdf", pdf));
        assertThat(sent.getStatus().value()).isEqualTo(303);
        assertThat(sent.getResponseHeaders().getLocation()).hasToString("/mail?sent=4");
        assertThat(browser.get("/mail?sent=4")).contains("Your message was sent.");

        assertThat(SUBMISSIONS).hasSize(1);
        Submitted submitted = SUBMISSIONS.get(0);
        assertThat(submitted.sender()).isEqualTo(bob.address());
        assertThat(submitted.recipients()).containsExactly("taro@example.jp", "hanako@example.org",
                "lab@example.ac.jp", "secret@example.net");
        String message = text(submitted.message());
        String header = message.substring(0, message.indexOf("\r\n\r\n"));
        assertThat(header).contains("From: Person <" + bob.address() + ">", "MIME-Version: 1.0",
                "\"Lab, Members\" <lab@example.ac.jp>").doesNotContain("secret@example.net", "Bcc");
        assertThat(header).containsPattern("Message-ID: <[0-9a-f]{24}\\.\\d+@pages\\.example\\.test>");
        // Encoded words of ISO-2022-JP, each whole, that decode back to what was typed.
        java.util.regex.Matcher subject = Pattern.compile("Subject: ((?:=\\?ISO-2022-JP\\?B\\?[^?]+\\?=(?:\\r\\n )?)+)")
                .matcher(header);
        assertThat(subject.find()).isTrue();
        assertThat(dev.hato.message.EncodedWords.decode(subject.group(1).replace("\r\n ", " ")))
                .isEqualTo("来週の会議について");
        assertThat(header).contains("<taro@example.jp>", "=?ISO-2022-JP?B?");
        assertThat(message).contains("Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit");
        assertThat(message).contains(new String("資料を添付します。".getBytes(Charset.forName("ISO-2022-JP")),
                StandardCharsets.ISO_8859_1) + "\r\n");
        assertThat(message).contains("filename*=UTF-8''%E5%A0%B1%E5%91%8A%E6%9B%B8%20%E7%AC%AC1%E7%89%88.pdf",
                "Content-Type: application/pdf;");
        // The attachment: the uploaded octets, base64 in lines of 76.
        int start = message.indexOf("Content-Transfer-Encoding: base64\r\n\r\n") + 37;
        String encoded = message.substring(start, message.indexOf("\r\n--", start));
        assertThat(encoded.lines()).allMatch(line -> line.length() <= 76);
        assertThat(Base64.getMimeDecoder().decode(encoded)).isEqualTo(pdf);
        // Parsed by the message model: a multipart/mixed with the text and the file.
        dev.hato.message.MessageParser parser = dev.hato.message.MessageParser.structure(
                dev.hato.message.MessageLimits.DEFAULTS);
        parser.feed(ByteBuffer.wrap(submitted.message()));
        dev.hato.message.MimeEntity root = parser.finish().root();
        assertThat(root.subtype()).isEqualTo("MIXED");
        assertThat(root.children()).extracting(dev.hato.message.MimeEntity::type).containsExactly("TEXT", "APPLICATION");
    }

    @Test
    void replyAndForwardShouldBePrefilledAndThreaded() {
        Account bob = person();
        long uid = append(bob, ("From: =?UTF-8?B?" + Base64.getEncoder().encodeToString("山田".getBytes(
                StandardCharsets.UTF_8)) + "?= <yamada@example.jp>\r\nTo: " + bob.address() + ", other@example.org\r\n"
                + "Cc: third@example.org\r\nSubject: Plans\r\nMessage-ID: <orig-1@example.jp>\r\n"
                + "References: <root@example.jp>\r\nDate: Tue, 01 Dec 2026 10:00:00 +0900\r\n\r\n"
                + "line one\r\nline two\r\n").getBytes(StandardCharsets.UTF_8));
        long inbox = inbox(bob).id();
        Browser browser = new Browser(bob);

        assertThat(browser.get("/mail/compose")).as("address completion from the INBOX's senders")
                .contains("<option value=\"山田 &lt;yamada@example.jp&gt;\"></option>");
        String reply = browser.get("/mail/compose?reply=" + inbox + "/" + uid);
        assertThat(reply).contains("value=\"山田 &lt;yamada@example.jp&gt;\"", "value=\"Re: Plans\"",
                "name=\"inReplyTo\" value=\"&lt;orig-1@example.jp&gt;\"",
                "value=\"&lt;root@example.jp&gt; &lt;orig-1@example.jp&gt;\"", "&gt; line one", "&gt; line two");
        String all = browser.get("/mail/compose?reply=" + inbox + "/" + uid + "&all=1");
        assertThat(all).contains("other@example.org", "third@example.org");

        SUBMISSIONS.clear();
        browser.compose(Map.of("to", "yamada@example.jp", "subject", "Re: Plans", "text", "ok",
                "inReplyTo", "<orig-1@example.jp>", "references", "<root@example.jp> <orig-1@example.jp>"), Map.of());
        String sentReply = text(SUBMISSIONS.get(0).message());
        assertThat(sentReply).contains("In-Reply-To: <orig-1@example.jp>\r\n",
                "References: <root@example.jp>\r\n <orig-1@example.jp>\r\n", "Content-Type: text/plain; charset=US-ASCII");

        String forward = browser.get("/mail/compose?forward=" + inbox + "/" + uid);
        assertThat(forward).contains("value=\"Fwd: Plans\"", "---------- Forwarded message ----------", "line one");
        String attached = browser.get("/mail/compose?forward=" + inbox + "/" + uid + "&as=attachment");
        assertThat(attached).contains("name=\"forwardOf\" value=\"" + inbox + "/" + uid + "\"",
                "The original message is attached.");
        SUBMISSIONS.clear();
        browser.compose(Map.of("to", "x@example.org", "subject", "Fwd: Plans", "text", "see below",
                "forwardOf", inbox + "/" + uid), Map.of());
        String sentForward = text(SUBMISSIONS.get(0).message());
        assertThat(sentForward).contains("Content-Type: message/rfc822\r\n", "Message-ID: <orig-1@example.jp>",
                "line one\r\nline two\r\n");

        // Someone else's message cannot be replied to or forwarded.
        Account eve = person();
        long hers = append(eve, "Subject: private\r\n\r\nsecret\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(browser.status("/mail/compose?reply=" + inbox(eve).id() + "/" + hers)).isEqualTo(404);
        SUBMISSIONS.clear();
        assertThat(browser.compose(Map.of("to", "x@example.org", "subject", "s", "text", "t",
                "forwardOf", inbox(eve).id() + "/" + hers), Map.of()).getStatus().value()).isEqualTo(404);
        assertThat(SUBMISSIONS).isEmpty();
    }

    @Test
    void aFormattedMessageShouldBeSentAsCleanedHtmlWithItsPlainTextAlternative() {
        Account bob = person();
        Browser browser = new Browser(bob);
        assertThat(browser.get("/mail/compose")).contains("id=\"format-html\"", "id=\"editor\"");
        SUBMISSIONS.clear();
        EntityExchangeResult<byte[]> sent = browser.compose(Map.of(
                "to", "taro@example.jp", "subject", "議事録", "format", "html", "text", "ignored when formatted",
                "html", "<p>山田さん、<b>明日</b>の<i onclick=\"steal()\">件</i>です。</p><script>steal()</script>"
                        + "<ul><li>資料</li><li>日程</li></ul><blockquote>前回の内容<br>二行目</blockquote>"
                        + "<p><a href=\"https://example.jp/minutes\">議事録</a> <a href=\"javascript:steal()\">x</a>"
                        + "<img src=\"https://tracker.example/p.gif\"></p>"),
                Map.of());
        assertThat(sent.getStatus().value()).isEqualTo(303);
        String message = text(SUBMISSIONS.get(0).message());
        assertThat(message).contains("Content-Type: multipart/alternative; boundary=");

        dev.hato.message.MessageParser parser = dev.hato.message.MessageParser.structure(
                dev.hato.message.MessageLimits.DEFAULTS);
        parser.feed(ByteBuffer.wrap(SUBMISSIONS.get(0).message()));
        dev.hato.message.MimeEntity root = parser.finish().root();
        assertThat(root.subtype()).isEqualTo("ALTERNATIVE");
        assertThat(root.children()).extracting(dev.hato.message.MimeEntity::subtype).containsExactly("PLAIN", "HTML");

        // The plain alternative, in ISO-2022-JP: the words, the list marked, the quote prefixed, the link's address.
        String plain = new String(message.substring(message.indexOf("7bit\r\n\r\n") + 8, message.indexOf("\r\n--",
                message.indexOf("7bit\r\n\r\n"))).getBytes(StandardCharsets.ISO_8859_1), Charset.forName("ISO-2022-JP"));
        assertThat(plain).isEqualTo("山田さん、明日の件です。\r\n* 資料\r\n* 日程\r\n> 前回の内容\r\n> 二行目\r\n"
                + "議事録 <https://example.jp/minutes> x\r\n");
        // The HTML: UTF-8, base64, only what the editor makes.
        int start = message.indexOf("Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        assertThat(start).isPositive();
        start = message.indexOf("\r\n\r\n", start) + 4;
        String html = new String(Base64.getMimeDecoder().decode(message.substring(start, message.indexOf("\r\n--", start))),
                StandardCharsets.UTF_8);
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<b>明日</b>", "<i>件</i>", "<li>資料</li>",
                "<blockquote>前回の内容<br>二行目</blockquote>", "<a href=\"https://example.jp/minutes\">議事録</a>")
                .doesNotContain("script", "steal", "onclick", "javascript", "img", "tracker");

        // Kept as a draft, it opens again in the editor.
        DRAFTS.clear();
        EntityExchangeResult<byte[]> saved = browser.compose(Map.of("action", "draft", "to", "", "subject", "途中",
                "format", "html", "html", "<p><b>太字</b>の下書き<script>x()</script></p>"), Map.of());
        assertThat(text(DRAFTS.get(0).message())).contains("multipart/alternative");
        String page = new String(saved.getResponseBody(), StandardCharsets.UTF_8);
        assertThat(page).containsPattern("id=\"format-html\" value=\"html\" autocomplete=\"off\"\\s+disabled checked")
                .contains("&lt;p&gt;&lt;b&gt;太字&lt;/b&gt;の下書き&lt;/p&gt;").doesNotContain("x()");
    }

    @Test
    void draftsShouldBeSavedWithTheirBccReplacedAndDiscardedOnceSent() {
        Account bob = person();
        Browser browser = new Browser(bob);
        browser.get("/mail/compose");
        DRAFTS.clear();
        DISCARDED.clear();
        SUBMISSIONS.clear();
        EntityExchangeResult<byte[]> saved = browser.compose(Map.of("action", "draft", "to", "", "bcc",
                "hidden@example.org", "subject", "下書き", "text", "途中まで"), Map.of());
        assertThat(saved.getStatus().value()).isEqualTo(200);
        String page = new String(saved.getResponseBody(), StandardCharsets.UTF_8);
        assertThat(page).contains("Draft saved.", "name=\"draftUid\" id=\"draft-uid\" value=\"101\"", "途中まで");
        assertThat(text(DRAFTS.get(0).message())).contains("Bcc: hidden@example.org\r\n");
        assertThat(SUBMISSIONS).isEmpty();

        // The script's autosave replaces it.
        EntityExchangeResult<byte[]> auto = browser.web.post().uri("/mail/compose/draft")
                .cookies(jar -> browser.cookies.forEach(jar::add)).contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData("_csrf", browser.token).with("draftUid", "101")
                        .with("to", "taro@exa").with("subject", "下書き").with("text", "もう少し"))
                .exchange().expectBody().returnResult();
        assertThat(new String(auto.getResponseBody(), StandardCharsets.UTF_8)).isEqualTo("{\"uid\":102}");
        assertThat(DRAFTS.get(1).recipients()).containsExactly("101");

        browser.compose(Map.of("to", "taro@example.jp", "subject", "下書き", "text", "完成", "draftUid", "102"),
                Map.of());
        assertThat(SUBMISSIONS).hasSize(1);
        assertThat(text(SUBMISSIONS.get(0).message())).doesNotContain("Bcc");
        assertThat(DISCARDED).containsExactly(102L);
    }

    @Test
    void badAddressesTooLargeMessagesAndRefusalsShouldShowTheFormAgain() {
        Account bob = person();
        Browser browser = new Browser(bob);
        browser.get("/mail/compose");
        SUBMISSIONS.clear();

        EntityExchangeResult<byte[]> bad = browser.compose(Map.of("to", "taro@example.jp, not an address",
                "subject", "件名は残る", "text", "本文も残る"), Map.of());
        assertThat(bad.getStatus().value()).isEqualTo(422);
        assertThat(new String(bad.getResponseBody(), StandardCharsets.UTF_8)).contains(
                "This is not an e-mail address: not an address", "value=\"件名は残る\"", "本文も残る");
        assertThat(browser.compose(Map.of("to", "", "subject", "s", "text", "t"), Map.of()).getStatus().value())
                .isEqualTo(422);

        EntityExchangeResult<byte[]> large = browser.compose(Map.of("to", "taro@example.jp", "subject", "big",
                "text", "t"), Map.of("big.bin", new byte[100 * 1024]));
        assertThat(large.getStatus().value()).isEqualTo(422);
        assertThat(new String(large.getResponseBody(), StandardCharsets.UTF_8)).contains("The message is too large.");

        // A body beyond the message size and the fields' allowance is refused as it streams in.
        assertThat(browser.compose(Map.of("to", "taro@example.jp", "subject", "huge", "text", "t"),
                Map.of("huge.bin", new byte[64 * 1024 + 1024 * 1024 + 1])).getStatus().value()).isEqualTo(413);

        refusal = "4.7.0 Sending limit reached, try again later";
        try {
            EntityExchangeResult<byte[]> refused = browser.compose(Map.of("to", "taro@example.jp", "subject", "s",
                    "text", "t"), Map.of());
            assertThat(refused.getStatus().value()).isEqualTo(422);
            assertThat(new String(refused.getResponseBody(), StandardCharsets.UTF_8))
                    .contains("4.7.0 Sending limit reached, try again later");
        } finally {
            refusal = null;
        }
        assertThat(SUBMISSIONS).isEmpty();

        // Without the CSRF token, nothing is sent.
        browser.token = "forged";
        assertThat(browser.compose(Map.of("to", "taro@example.jp", "subject", "s", "text", "t"), Map.of())
                .getStatus().value()).isEqualTo(403);
        assertThat(SUBMISSIONS).isEmpty();
    }

    @Test
    void anOpenPageShouldBeToldWhenOneOfItsFoldersChanges() throws InterruptedException {
        Account bob = person();
        Account eve = person();
        MailboxInfo box = inbox(bob);
        Browser browser = new Browser(bob);
        Flux<ServerSentEvent<String>> events = browser.web.get().uri("/mail/events")
                .cookies(jar -> browser.cookies.forEach(jar::add)).accept(MediaType.TEXT_EVENT_STREAM).exchange()
                .expectStatus().isOk()
                .returnResult(new org.springframework.core.ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .getResponseBody()
                .filter(event -> "change".equals(event.event()));
        List<ServerSentEvent<String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        reactor.core.Disposable listening = events.subscribe(seen::add);
        try {
            Thread.sleep(500); // the stream is listening
            append(eve, "Subject: not bob's\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            append(bob, "Subject: new\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int wait = 0; wait < 200 && seen.isEmpty(); wait++) {
                Thread.sleep(100);
            }
            Thread.sleep(500); // anything else the two deliveries would send
            assertThat(seen).isNotEmpty().extracting(ServerSentEvent::data)
                    .allMatch(data -> data.equals("" + box.id()));
        } finally {
            listening.dispose();
        }
    }

    @Test
    void theAddressBookShouldBeEditedImportedExportedAndOfferedInCompose() {
        Account bob = person();
        Browser browser = new Browser(bob);
        assertThat(browser.get("/contacts")).contains("id=\"contacts-list\"", "No contacts.");

        EntityExchangeResult<byte[]> imported = browser.upload("/contacts/import", "outlook.vcf",
                ("BEGIN:VCARD\r\nVERSION:3.0\r\nUID:hanako-1\r\nFN:山田 花子\r\nEMAIL:hanako@example.jp\r\n"
                        + "END:VCARD\r\nBEGIN:VCARD\r\nVERSION:3.0\r\nUID:taro-1\r\nFN:Taro\r\n"
                        + "EMAIL:taro@example.jp\r\nEND:VCARD\r\n").getBytes(StandardCharsets.UTF_8));
        assertThat(imported.getResponseHeaders().getLocation()).hasToString("/contacts?imported=2&refused=0");
        assertThat(browser.get("/contacts?q=hanako")).contains("山田 花子").doesNotContain("taro@example.jp");

        assertThat(browser.post("/contacts/save", "name", "", "etag", "", "kind", "individual", "displayName",
                "Ann Example", "emails", "ann@example.org\r\nann@work.example", "phone", "+81 3 0000 0000",
                "organization", "Uni", "note", "met at the seminar")).isEqualTo("/contacts?saved");
        dev.hato.store.contacts.Contact ann = store.addressBooks().search(bob.id(), "Ann Example", 5).blockFirst();
        assertThat(ann.emails()).containsExactly("ann@example.org", "ann@work.example");
        String edit = browser.get("/contacts/edit?name=" + ann.name());
        assertThat(edit).contains("value=\"Ann Example\"", "met at the seminar", "+81 3 0000 0000");

        // A change from another program since the form was shown is not overwritten.
        EntityExchangeResult<byte[]> stale = browser.postForm("/contacts/save", "name", ann.name(), "etag",
                "\"not-the-tag\"", "kind", "individual", "displayName", "Ann Changed", "emails", "ann@example.org");
        assertThat(stale.getStatus().value()).isEqualTo(422);
        assertThat(browser.post("/contacts/save", "name", ann.name(), "etag", ann.etag(), "kind", "individual",
                "displayName", "Ann Changed", "emails", "ann@example.org")).isEqualTo("/contacts?saved");

        assertThat(browser.post("/contacts/save", "name", "", "etag", "", "kind", "group", "displayName", "Seminar",
                "member", "hanako-1", "member", ann.uid())).isEqualTo("/contacts?saved");
        assertThat(browser.get("/contacts")).contains("Seminar", "group of 2", "Ann Changed");

        String exported = new String(browser.fetch("/contacts/export?format=csv").getResponseBody(),
                StandardCharsets.UTF_8);
        assertThat(exported).contains("hanako@example.jp", "ann@example.org");
        assertThat(browser.get("/mail/compose")).contains("Ann Changed &lt;ann@example.org&gt;",
                "山田 花子 &lt;hanako@example.jp&gt;");

        dev.hato.store.contacts.Contact taro = store.addressBooks().search(bob.id(), "taro", 5).blockFirst();
        assertThat(browser.post("/contacts/delete", "name", taro.name(), "etag", taro.etag()))
                .isEqualTo("/contacts?saved");
        assertThat(browser.get("/contacts")).doesNotContain("taro@example.jp");
    }

    @Test
    void aDomainsAddressListShouldShowColleaguesOnlyWhenOnAndNeverTheirAuthIds() {
        String domain = "list" + PEOPLE.incrementAndGet() + ".example.test";
        store.directory().addDomain(domain).block();
        Account viewer = store.directory().addAccount(new NewAccount("viewer@" + domain, "vw.a.bc-" + PEOPLE.get(),
                "Viewer", null)).block();
        Account hanako = store.directory().addAccount(new NewAccount("hanako.yamada@" + domain,
                "hy.x.zz-k3p9" + PEOPLE.get(), "山田 花子", null)).block();
        Browser browser = new Browser(viewer);

        assertThat(browser.get("/contacts?q=yamada")).doesNotContain("id=\"address-list\"");
        assertThat(browser.get("/mail/compose")).doesNotContain("hanako.yamada@");

        store.directory().setAddressList(domain, true).block();
        String found = browser.get("/contacts?q=yamada");
        assertThat(found).contains("id=\"address-list\"", "山田 花子", "hanako.yamada@" + domain)
                .doesNotContain(hanako.authId());
        assertThat(browser.get("/contacts?q=山田")).contains("hanako.yamada@" + domain);
        assertThat(browser.get("/mail/compose")).contains("山田 花子 &lt;hanako.yamada@" + domain + "&gt;")
                .doesNotContain(hanako.authId());
        // People of other domains are never listed.
        assertThat(new Browser(person()).get("/contacts?q=yamada")).doesNotContain("hanako.yamada@");
    }

    @Test
    void theFilterFormShouldWriteTheActiveSieveScriptAndReadItBack() {
        Account bob = person();
        Browser browser = new Browser(bob);
        assertThat(browser.get("/settings/filters")).contains("id=\"filters-form\"", "id=\"forward-to\"");

        assertThat(browser.post("/settings/filters", "forwardTo", "bob@elsewhere.example", "forwardKeep", "on",
                "vacation", "on", "vacationFrom", "2026-12-24", "vacationUntil", "2027-01-04",
                "vacationSubject", "Away / 不在", "vacationText", "Back on 5 January.\r\n1月5日に戻ります。",
                "field", "subject", "match", "contains", "value", "[seminar]", "action", "fileinto",
                "argument", "Seminars/2026",
                "field", "from", "match", "is", "value", "", "action", "discard", "argument", "",
                "field", "list-id", "match", "contains", "value", "staff.uni.example", "action", "seen",
                "argument", "")).isEqualTo("/settings/filters?saved");

        dev.hato.store.sieve.SieveScript script = store.sieveScripts().get(bob.id(), "hato-webmail").block();
        assertThat(script.active()).isTrue();
        assertThat(TestScriptCheck.problems(script.content())).isEmpty();
        assertThat(script.content()).contains("redirect :copy \"bob@elsewhere.example\";",
                "currentdate :value \"ge\" \"date\" \"2026-12-24\"", "vacation :subject \"Away / 不在\"",
                "fileinto :create \"Seminars/2026\";", "addflag \"\\\\Seen\";")
                .doesNotContain("discard");
        String page = browser.get("/settings/filters?saved");
        assertThat(page).contains("value=\"bob@elsewhere.example\"", "value=\"[seminar]\"",
                "value=\"Seminars/2026\"", "1月5日に戻ります。", "value=\"2027-01-04\"");
    }

    @Test
    void aScriptWrittenAsTextShouldBeCheckedAndRefusedWithItsLines() {
        Account bob = person();
        Browser browser = new Browser(bob);
        String broken = "require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n  fileinto;\n}\n";

        EntityExchangeResult<byte[]> refused = browser.postForm("/settings/filters/text", "name", "mine",
                "script", broken);

        assertThat(refused.getStatus().value()).isEqualTo(422);
        assertThat(new String(refused.getResponseBody(), StandardCharsets.UTF_8))
                .contains("id=\"filters-problems\"", "Line 3, column").contains("fileinto;");
        assertThat(store.sieveScripts().get(bob.id(), "mine").blockOptional()).isEmpty();

        String fixed = "require \"fileinto\";\nif header :contains \"subject\" \"x\" {\n  fileinto \"X\";\n}\n";
        assertThat(browser.post("/settings/filters/text", "name", "mine", "script", fixed))
                .isEqualTo("/settings/filters?saved");
        assertThat(store.sieveScripts().get(bob.id(), "mine").block().active()).isTrue();
        // A script the form did not write is shown as text, not in the form.
        assertThat(browser.get("/settings/filters")).contains("id=\"filters-text-form\"", "fileinto &quot;X&quot;;")
                .doesNotContain("id=\"filters-form\"");
    }

    @Test
    void theLanguageChosenShouldBeKeptWithTheAccountAndSetAtEachLogin() {
        Account bob = person();
        Browser first = new Browser(bob);
        assertThat(first.get("/settings")).contains("id=\"language-auto\"", "As my browser says");
        assertThat(first.post("/settings", "language", "ja")).isEqualTo("/settings?saved");
        assertThat(first.cookies).containsEntry("hato-lang", "ja");
        assertThat(store.directory().settings(bob.id()).block()).containsEntry("language", "ja");
        assertThat(first.get("/settings?saved")).contains("保存しました。", "lang=\"ja\"");

        // Another browser: the login sets the language it was given.
        Browser second = new Browser(bob);
        assertThat(second.cookies).containsEntry("hato-lang", "ja");
        assertThat(second.get("/mail")).contains("受信箱");

        second.post("/settings", "language", "auto");
        assertThat(store.directory().settings(bob.id()).block()).doesNotContainKey("language");
        assertThat(second.cookies).containsEntry("hato-lang", "");
        assertThat(new Browser(bob).cookies).doesNotContainKey("hato-lang");
    }

    @Test
    void aPersonMovingFromTheOldSystemShouldSeeHowFarTheMoveHasComeInEnglishAndJapanese() {
        Account bob = person();
        Account ann = person();
        dev.hato.web.settings.MailboxMoves moves = id -> id == bob.id()
                ? Mono.just(new dev.hato.web.settings.MailboxMoves.Move(true, "copied", 1234, true,
                        java.time.Instant.parse("2026-12-07T12:00:00Z")))
                : Mono.empty();
        Browser moving = new Browser(bob, Duration.ofMinutes(30), moves);
        assertThat(moving.get("/settings")).contains("id=\"mailbox-move\"", "id=\"move-old-system\"",
                "Copied; kept up to date until the move", ">1234<", "Yes, every message", "2026-12-07T12:00:00Z");
        moving.post("/settings", "language", "ja");
        assertThat(moving.get("/settings")).contains("新しいメールシステムへの移行", "コピー済み", "すべて一致しました");
        moving.post("/settings", "language", "auto");

        assertThat(new Browser(ann, Duration.ofMinutes(30), moves).get("/settings")).doesNotContain("mailbox-move");
    }

    @Test
    void aSessionShouldEndAfterTheIdleTimeout() throws InterruptedException {
        Browser browser = new Browser(person(), Duration.ofSeconds(1));
        browser.get("/mail");
        Thread.sleep(1500);
        EntityExchangeResult<byte[]> after = browser.fetch("/mail");
        assertThat(after.getStatus().is3xxRedirection()).isTrue();
        assertThat(after.getResponseHeaders().getLocation()).hasToString("/login");
    }

    @Test
    void aJapaneseMessageShouldReadDecodedWithItsAttachmentNamedAndDownloadable() throws Exception {
        Account bob = person();
        byte[] attachment = "請求書の中身".getBytes(StandardCharsets.UTF_8);
        String message = "From: =?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>" + CRLF
                + "To: bob@pages.example.test" + CRLF
                + "Subject: =?ISO-2022-JP?B?" + Base64.getEncoder().encodeToString("会議の資料".getBytes(ISO_2022_JP))
                + "?=" + CRLF
                + "Date: Tue, 01 Dec 2026 18:00:00 +0900" + CRLF
                + "MIME-Version: 1.0" + CRLF
                + "Content-Type: multipart/mixed; boundary=\"b1\"" + CRLF + CRLF
                + "--b1" + CRLF
                + "Content-Type: text/plain; charset=ISO-2022-JP" + CRLF
                + "Content-Transfer-Encoding: 7bit" + CRLF + CRLF
                + new String("明日の会議の資料です。\r\nよろしくお願いします。".getBytes(ISO_2022_JP),
                        StandardCharsets.ISO_8859_1) + CRLF
                + "--b1" + CRLF
                + "Content-Type: application/octet-stream" + CRLF
                + "Content-Disposition: attachment;" + CRLF
                + " filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%20%E2%91%A0.txt" + CRLF
                + "Content-Transfer-Encoding: base64" + CRLF + CRLF
                + b64(attachment) + CRLF
                + "--b1--" + CRLF;
        long uid = append(bob, message.getBytes(StandardCharsets.ISO_8859_1));
        Browser browser = new Browser(bob);
        long inbox = inbox(bob).id();

        String page = browser.get("/mail/folder/" + inbox + "/message/" + uid);
        assertThat(page).contains("会議の資料", "山田", "明日の会議の資料です。", "よろしくお願いします。",
                "請求書 ①.txt", "href=\"/mail/folder/" + inbox + "/message/" + uid + "/part/2\"");
        // Opening it marked it read, and the folder tree beside it already counts it so.
        assertThat(store.mailboxes().message(bob.id(), inbox, uid).block().flags()).contains("\\Seen");
        assertThat(page).doesNotContain("unread-count");

        EntityExchangeResult<byte[]> download = browser.fetch("/mail/folder/" + inbox + "/message/" + uid + "/part/2");
        assertThat(download.getStatus().value()).isEqualTo(200);
        assertThat(download.getResponseBody()).isEqualTo(attachment);
        HttpHeaders headers = download.getResponseHeaders();
        assertThat(headers.getContentType()).isEqualTo(MediaType.APPLICATION_OCTET_STREAM);
        assertThat(headers.getFirst("Content-Disposition")).isEqualTo("attachment; filename=\"___ _.txt\"; "
                + "filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8%20%E2%91%A0.txt");
        assertThat(headers.getFirst("Content-Security-Policy")).isEqualTo("default-src 'none'; sandbox");

        EntityExchangeResult<byte[]> source = browser.fetch("/mail/folder/" + inbox + "/message/" + uid + "/source");
        assertThat(source.getResponseBody()).isEqualTo(message.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(browser.status("/mail/folder/" + inbox + "/message/" + uid + "/part/3")).isEqualTo(404);
        assertThat(browser.status("/mail/folder/" + inbox + "/message/" + (uid + 1))).isEqualTo(404);
    }

    @Test
    void shiftJisEucJpAndUndeclaredTextShouldAllRead() {
        Account bob = person();
        long inbox = inbox(bob).id();
        Map<String, byte[]> bodies = Map.of(
                "Shift_JIS", "シフトJISの本文です".getBytes(Charset.forName("Shift_JIS")),
                "EUC-JP", "EUC-JPの本文です".getBytes(Charset.forName("EUC-JP")),
                "", "宣言なしのUTF-8です".getBytes(StandardCharsets.UTF_8));
        Browser browser = new Browser(bob);
        for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
            String type = body.getKey().isEmpty() ? "text/plain" : "text/plain; charset=" + body.getKey();
            String header = "From: a@example.jp\r\nSubject: " + body.getKey() + "\r\nContent-Type: " + type
                    + "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
            byte[] message = concat(header.getBytes(StandardCharsets.US_ASCII), body.getValue());
            long uid = append(bob, message);
            String expected = new String(body.getValue(), body.getKey().isEmpty() ? StandardCharsets.UTF_8
                    : Charset.forName(body.getKey()));
            assertThat(browser.get("/mail/folder/" + inbox + "/message/" + uid)).as(body.getKey()).contains(expected);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void htmlMailShouldBeMadeSafeAndShownInItsOwnSandboxedDocument() {
        Account bob = person();
        byte[] png = Base64.getDecoder().decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        String html = "<html><head><style>p{color:red}</style><script>parent.hacked=1</script></head><body>"
                + "<p onclick=\"alert(1)\">こんにちは <b>world</b></p>"
                + "<img src=\"cid:logo@example\" alt=\"logo\"><img src=\"https://tracker.example/pixel.gif\">"
                + "<a href=\"javascript:alert(2)\">bad</a><a href=\"https://example.org/\">good</a>"
                + "<iframe src=\"https://evil.example/\"></iframe><form action=\"https://evil.example/\">"
                + "<input name=\"password\"></form><svg><script>alert(3)</script></svg>"
                + "<img src=\"data:text/html;base64,PHNjcmlwdD4=\"><meta http-equiv=\"refresh\" content=\"0;url=x\">"
                + "</body></html>";
        String message = "From: news@example.org" + CRLF + "Subject: Newsletter" + CRLF + "MIME-Version: 1.0" + CRLF
                + "Content-Type: multipart/alternative; boundary=\"alt\"" + CRLF + CRLF
                + "--alt" + CRLF + "Content-Type: text/plain; charset=UTF-8" + CRLF + CRLF + "Plain version" + CRLF
                + "--alt" + CRLF + "Content-Type: multipart/related; boundary=\"rel\"" + CRLF + CRLF
                + "--rel" + CRLF + "Content-Type: text/html; charset=UTF-8" + CRLF
                + "Content-Transfer-Encoding: quoted-printable" + CRLF + CRLF
                + qp(html) + CRLF
                + "--rel" + CRLF + "Content-Type: image/png" + CRLF + "Content-ID: <logo@example>" + CRLF
                + "Content-Transfer-Encoding: base64" + CRLF + CRLF + b64(png) + CRLF
                + "--rel--" + CRLF + "--alt--" + CRLF;
        long uid = append(bob, message.getBytes(StandardCharsets.UTF_8));
        long inbox = inbox(bob).id();
        Browser browser = new Browser(bob);
        String base = "/mail/folder/" + inbox + "/message/" + uid;

        String page = browser.get(base);
        assertThat(page).contains("<iframe name=\"message-frame\" id=\"message-body-html\"",
                "sandbox=\"allow-popups allow-popups-to-escape-sandbox\"", "src=\"" + base + "/html\"",
                "href=\"" + base + "?view=text\"").doesNotContain("parent.hacked", "onclick");
        assertThat(browser.get(base + "?view=text")).contains("Plain version").doesNotContain("<iframe");

        EntityExchangeResult<byte[]> body = browser.fetch(base + "/html");
        String document = new String(body.getResponseBody(), StandardCharsets.UTF_8);
        assertThat(document).contains("こんにちは <b>world</b>", "p{color:red}",
                "src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(png) + "\"",
                "data-hato-src=\"https://tracker.example/pixel.gif\"",
                "<a href=\"https://example.org/\" target=\"_blank\" rel=\"noopener noreferrer\">good</a>");
        assertThat(document.toLowerCase(java.util.Locale.ROOT)).doesNotContain("<script", "onclick", "javascript:",
                "<iframe", "<form", "<input", "<svg", "data:text/html", "http-equiv", " src=\"https://tracker");
        assertThat(body.getResponseHeaders().getFirst("Content-Security-Policy")).isEqualTo(
                "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none';"
                        + " base-uri 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox");
        assertThat(body.getResponseHeaders().getFirst("X-Frame-Options")).isEqualTo("SAMEORIGIN");

        String withImages = new String(browser.fetch(base + "/html?images=1").getResponseBody(), StandardCharsets.UTF_8);
        assertThat(withImages).contains("src=\"https://tracker.example/pixel.gif\"");
        assertThat(browser.fetch(base + "/html?images=1").getResponseHeaders().getFirst("Content-Security-Policy"))
                .contains("img-src data: https: http:");
    }

    private static String qp(String text) {
        StringBuilder out = new StringBuilder();
        int column = 0;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            String piece = c >= 33 && c <= 126 && c != '=' ? String.valueOf((char) c) : String.format("=%02X", c);
            if (column + piece.length() > 75) {
                out.append("=\r\n");
                column = 0;
            }
            out.append(piece);
            column += piece.length();
        }
        return out.toString();
    }

    @Test
    void actionsShouldMarkMoveCopyAndDeleteThroughTrash() {
        Account bob = person();
        MailboxInfo box = inbox(bob);
        long first = append(bob, "Subject: one\r\n\r\n1\r\n".getBytes(StandardCharsets.US_ASCII));
        long second = append(bob, "Subject: two\r\n\r\n2\r\n".getBytes(StandardCharsets.US_ASCII));
        long third = append(bob, "Subject: three\r\n\r\n3\r\n".getBytes(StandardCharsets.US_ASCII));
        MailboxInfo archive = store.mailboxes().create(bob.id(), "Kept", null).block();
        Browser browser = new Browser(bob);
        browser.get("/mail");
        String act = "/mail/folder/" + box.id() + "/act";

        assertThat(browser.post(act, "action", "read", "uid", "" + first, "uid", "" + second)).isEqualTo("/mail");
        assertThat(flags(bob, box, first)).contains("\\Seen");
        browser.post(act, "action", "unread", "uid", "" + first);
        assertThat(flags(bob, box, first)).doesNotContain("\\Seen");
        assertThat(browser.post(act, "action", "flag", "uid", "" + second, "return", "message"))
                .isEqualTo("/mail/folder/" + box.id() + "/message/" + second);
        assertThat(flags(bob, box, second)).contains("\\Flagged", "\\Seen");

        browser.post(act, "action", "copy", "uid", "" + third, "target", "" + archive.id());
        browser.post(act, "action", "move", "uid", "" + first, "target", "" + archive.id());
        assertThat(uidsIn(bob, box)).containsExactly(second, third);
        assertThat(store.mailboxes().status(bob.id(), archive.id()).block().messages()).isEqualTo(2);

        browser.post(act, "action", "delete", "uid", "" + second);
        assertThat(uidsIn(bob, box)).containsExactly(third);
        MailboxInfo trash = store.mailboxes().find(bob.id(), "Trash").block();
        assertThat(trash.specialUse()).isEqualTo("\\Trash");
        List<MessageMeta> trashed = store.mailboxes().messages(bob.id(), trash.id()).collectList().block();
        assertThat(trashed).hasSize(1);
        browser.get("/mail/folder/" + trash.id());
        browser.post("/mail/folder/" + trash.id() + "/act", "action", "delete", "uid", "" + trashed.get(0).uid());
        assertThat(store.mailboxes().messages(bob.id(), trash.id()).collectList().block()).isEmpty();

        // A folder that is not this person's, as source or target, is not found.
        Account eve = person();
        MailboxInfo evesInbox = inbox(eve);
        append(eve, "Subject: private\r\n\r\nsecret\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(browser.status("/mail/folder/" + evesInbox.id())).isEqualTo(404);
        assertThat(browser.status("/mail/folder/" + evesInbox.id() + "/message/1")).isEqualTo(404);
        assertThat(browser.status("/mail/folder/" + evesInbox.id() + "/message/1/source")).isEqualTo(404);
        assertThat(store.mailboxes().status(eve.id(), evesInbox.id()).block().messages()).isEqualTo(1);
    }

    private static Set<String> flags(Account account, MailboxInfo box, long uid) {
        return store.mailboxes().message(account.id(), box.id(), uid).block().flags();
    }

    private static List<Long> uidsIn(Account account, MailboxInfo box) {
        return store.mailboxes().messages(account.id(), box.id()).map(MessageMeta::uid).collectList().block();
    }

    @Test
    void foldersShouldBeCreatedRenamedSubscribedAndDeleted() {
        Account bob = person();
        Mailboxes mailboxes = store.mailboxes();
        Browser browser = new Browser(bob);
        assertThat(browser.get("/mail/folders")).contains("Manage folders", "id=\"create-folder\"");

        assertThat(browser.post("/mail/folders", "name", " 研究室 ", "parent", ""))
                .isEqualTo("/mail/folders?done=created");
        MailboxInfo lab = mailboxes.find(bob.id(), "研究室").block();
        assertThat(lab).isNotNull();
        assertThat(mailboxes.subscriptions(bob.id()).collectList().block()).contains("研究室");
        String created = browser.post("/mail/folders", "name", "2026年度", "parent", "" + lab.id());
        assertThat(mailboxes.find(bob.id(), "研究室/2026年度").block()).isNotNull();
        assertThat(browser.get(created)).contains("2026年度", "Folder created.");

        for (String bad : new String[] {"", "a/b", "INBOX", "x*", "tab\tname"}) {
            assertThat(browser.post("/mail/folders", "name", bad, "parent", ""))
                    .as(bad).isEqualTo("/mail/folders?error=invalid_name");
        }
        assertThat(browser.post("/mail/folders", "name", "研究室", "parent", ""))
                .isEqualTo("/mail/folders?error=already_exists");
        assertThat(browser.post("/mail/folder/" + lab.id() + "/remove")).isEqualTo("/mail/folders?error=has_children");

        browser.post("/mail/folder/" + lab.id() + "/rename", "name", "ゼミ");
        assertThat(mailboxes.find(bob.id(), "ゼミ/2026年度").block()).isNotNull();
        assertThat(mailboxes.subscriptions(bob.id()).collectList().block()).contains("ゼミ").doesNotContain("研究室");

        browser.post("/mail/folder/" + lab.id() + "/subscribe", "subscribed", "false");
        assertThat(mailboxes.subscriptions(bob.id()).collectList().block()).doesNotContain("ゼミ");

        MailboxInfo year = mailboxes.find(bob.id(), "ゼミ/2026年度").block();
        assertThat(browser.post("/mail/folder/" + year.id() + "/remove")).isEqualTo("/mail/folders?done=deleted");
        assertThat(mailboxes.find(bob.id(), "ゼミ/2026年度").blockOptional()).isEmpty();
        assertThat(browser.post("/mail/folder/" + inbox(bob).id() + "/remove")).isEqualTo("/mail/folders?error=cannot");
        assertThat(browser.post("/mail/folder/" + inbox(bob).id() + "/rename", "name", "x"))
                .isEqualTo("/mail/folders?error=cannot");
    }
}
