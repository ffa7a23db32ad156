package dev.hato.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * CardDAV on the running server over HTTPS: discovery from {@code /.well-known/carddav} to the address book, Basic
 * authentication through the real authenticator, conditional PUT and DELETE, vCard 3.0 served as 4.0, multiget,
 * query and sync-collection, and each person seeing only their own contacts.
 */
class CardDavTest {

    private static final RunningHato HATO = RunningHato.shared();
    private static final String BOOK = "/dav/addressbooks/default/";
    private static final String TARO = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:taro-1\r\nFN:山田 太郎\r\nN:山田;太郎;;;\r\n"
            + "EMAIL;TYPE=INTERNET:taro@example.jp\r\nEND:VCARD\r\n";
    private static final String ALICE = "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:alice-1\r\nFN:Alice Smith\r\n"
            + "EMAIL:alice@example.org\r\nEND:VCARD\r\n";

    private static DavClient davFor(RunningHato.User user) {
        return new DavClient(HATO.httpsPort(), user.authId(), user.password());
    }

    private static String first(String regex, String text) {
        Matcher match = Pattern.compile(regex, Pattern.DOTALL).matcher(text);
        assertThat(match.find()).as("%s in %s", regex, text).isTrue();
        return match.group(1);
    }

    @Test
    void aClientShouldFindTheAddressBookFromTheWellKnownUrl() {
        RunningHato.User ann = HATO.newUser("dav");
        DavClient dav = davFor(ann);
        DavClient.Reply wellKnown = DavClient.anonymous(HATO.httpsPort()).get("/.well-known/carddav", Map.of());
        assertThat(wellKnown.status()).isEqualTo(301);
        assertThat(wellKnown.header("Location")).isEqualTo("/dav/");
        String plain = reactor.netty.http.client.HttpClient.create().get()
                .uri("http://127.0.0.1:" + HATO.httpPort() + "/.well-known/carddav")
                .responseSingle((response, body) -> reactor.core.publisher.Mono.just(response.status().code() + " "
                        + response.responseHeaders().get("Location")))
                .block(java.time.Duration.ofSeconds(30));
        assertThat(plain).startsWith("301 https://").endsWith(":" + HATO.httpsPort() + "/.well-known/carddav");

        String principal = first("<d:current-user-principal><d:href>([^<]+)</d:href>", dav.propfind("/dav/", "0",
                "<propfind xmlns='DAV:'><prop><current-user-principal/></prop></propfind>").body());
        String home = first("<card:addressbook-home-set><d:href>([^<]+)</d:href>", dav.propfind(principal, "0",
                "<propfind xmlns='DAV:' xmlns:C='urn:ietf:params:xml:ns:carddav'><prop><C:addressbook-home-set/>"
                        + "</prop></propfind>").body());
        DavClient.Reply books = dav.propfind(home, "1", "<propfind xmlns='DAV:'"
                + " xmlns:CS='http://calendarserver.org/ns/'><prop><resourcetype/><displayname/><CS:getctag/><sync-token/><unknown-prop/></prop></propfind>");
        assertThat(books.status()).isEqualTo(207);
        assertThat(books.body()).contains("<d:href>" + BOOK + "</d:href>", "<card:addressbook/>",
                "<cs:getctag>1</cs:getctag>", "<d:sync-token>urn:x-hato:sync:1</d:sync-token>", "404 Not Found");
        assertThat(dav.send("OPTIONS", BOOK, "", Map.of()).header("DAV")).contains("addressbook");
        assertThat(dav.propfind(BOOK, "infinity", "").status()).isEqualTo(403);
    }

    @Test
    void credentialsShouldBeCheckedByTheAuthenticator() {
        RunningHato.User ann = HATO.newUser("dav");
        DavClient.Reply anonymous = DavClient.anonymous(HATO.httpsPort()).propfind("/dav/", "0", "");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Basic realm=");
        DavClient.Reply wrong = new DavClient(HATO.httpsPort(), ann.authId(), "wrong").propfind("/dav/", "0", "");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("Set-Cookie")).isNull();
        Eventually.until(() -> HATO.store().auditLog().query(ann.authId(), null, 10).collectList()
                        .block(java.time.Duration.ofSeconds(30)).stream()
                        .anyMatch(event -> event.protocol().equals("carddav")
                                && event.result() == dev.hato.store.audit.AuthEvent.Result.REJECTED),
                "the audit log to record the CardDAV login", java.time.Duration.ofSeconds(10));
    }

    @Test
    void putGetAndDeleteShouldHonourEntityTagsAndServeEitherVersion() {
        DavClient dav = davFor(HATO.newUser("dav"));
        DavClient.Reply created = dav.put(BOOK + "taro.vcf", TARO, Map.of("If-None-Match", "*"));
        assertThat(created.status()).isEqualTo(201);
        String etag = created.header("ETag");
        assertThat(etag).startsWith("\"");
        assertThat(dav.put(BOOK + "taro.vcf", TARO, Map.of("If-None-Match", "*")).status()).isEqualTo(412);

        DavClient.Reply asStored = dav.get(BOOK + "taro.vcf", Map.of());
        assertThat(asStored.body()).isEqualTo(TARO);
        assertThat(asStored.header("ETag")).isEqualTo(etag);
        assertThat(asStored.header("Content-Type")).startsWith("text/vcard");
        assertThat(dav.get(BOOK + "taro.vcf", Map.of("Accept", "text/vcard; version=4.0")).body())
                .contains("VERSION:4.0", "FN:山田 太郎");

        String changed = TARO.replace("taro@example.jp", "taro@example.com");
        assertThat(dav.put(BOOK + "taro.vcf", changed, Map.of("If-Match", "\"stale\"")).status()).isEqualTo(412);
        DavClient.Reply replaced = dav.put(BOOK + "taro.vcf", changed, Map.of("If-Match", etag));
        assertThat(replaced.status()).isEqualTo(204);
        assertThat(replaced.header("ETag")).isNotEqualTo(etag);

        DavClient.Reply conflict = dav.put(BOOK + "other.vcf", changed, Map.of());
        assertThat(conflict.status()).isEqualTo(409);
        assertThat(conflict.body()).contains("no-uid-conflict", BOOK + "taro.vcf");
        DavClient.Reply notACard = dav.put(BOOK + "bad.vcf", "hello", Map.of());
        assertThat(notACard.status()).isEqualTo(403);
        assertThat(notACard.body()).contains("valid-address-data");

        assertThat(dav.send("DELETE", BOOK + "taro.vcf", "", Map.of("If-Match", etag)).status()).isEqualTo(412);
        assertThat(dav.send("DELETE", BOOK + "taro.vcf", "", Map.of()).status()).isEqualTo(204);
        assertThat(dav.get(BOOK + "taro.vcf", Map.of()).status()).isEqualTo(404);
    }

    @Test
    void reportsShouldAnswerMultigetQueryAndSyncCollection() {
        DavClient dav = davFor(HATO.newUser("dav"));
        dav.put(BOOK + "taro.vcf", TARO, Map.of());
        dav.put(BOOK + "alice.vcf", ALICE, Map.of());

        DavClient.Reply multiget = dav.report(BOOK, "<C:addressbook-multiget xmlns:D='DAV:'"
                + " xmlns:C='urn:ietf:params:xml:ns:carddav'><D:prop><D:getetag/>"
                + "<C:address-data version='4.0'/></D:prop><D:href>" + BOOK + "taro.vcf</D:href>"
                + "<D:href>" + BOOK + "missing.vcf</D:href></C:addressbook-multiget>");
        assertThat(multiget.status()).isEqualTo(207);
        assertThat(multiget.body()).contains("VERSION:4.0", "山田 太郎", "404 Not Found");
        DavClient.Reply trimmed = dav.report(BOOK, "<C:addressbook-multiget xmlns:D='DAV:'"
                + " xmlns:C='urn:ietf:params:xml:ns:carddav'><D:prop><C:address-data><C:prop name='EMAIL'/>"
                + "</C:address-data></D:prop><D:href>" + BOOK + "taro.vcf</D:href></C:addressbook-multiget>");
        assertThat(trimmed.body()).contains("VERSION:3.0", "taro@example.jp").doesNotContain("山田");

        DavClient.Reply query = dav.report(BOOK, "<C:addressbook-query xmlns:D='DAV:'"
                + " xmlns:C='urn:ietf:params:xml:ns:carddav'><D:prop><D:getetag/></D:prop><C:filter>"
                + "<C:prop-filter name='EMAIL'><C:text-match match-type='ends-with'>EXAMPLE.ORG</C:text-match>"
                + "</C:prop-filter></C:filter></C:addressbook-query>");
        assertThat(query.body()).contains(BOOK + "alice.vcf").doesNotContain("taro.vcf");

        String sync = "<D:sync-collection xmlns:D='DAV:'><D:sync-token>%s</D:sync-token><D:sync-level>1"
                + "</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>";
        DavClient.Reply initial = dav.report(BOOK, String.format(sync, ""));
        assertThat(initial.body()).contains("taro.vcf", "alice.vcf");
        String token = first("<d:sync-token>([^<]+)</d:sync-token>", initial.body());
        dav.send("DELETE", BOOK + "alice.vcf", "", Map.of());
        DavClient.Reply later = dav.report(BOOK, String.format(sync, token));
        assertThat(later.body()).contains(BOOK + "alice.vcf</d:href><d:status>HTTP/1.1 404 Not Found")
                .doesNotContain("taro.vcf");
        DavClient.Reply bogus = dav.report(BOOK, String.format(sync, "urn:x-hato:sync:999999"));
        assertThat(bogus.status()).isEqualTo(403);
        assertThat(bogus.body()).contains("valid-sync-token");
    }

    @Test
    void eachPersonShouldSeeOnlyTheirOwnContactsAndNoEntityShouldBeExpanded() {
        DavClient ann = davFor(HATO.newUser("dav"));
        DavClient ben = davFor(HATO.newUser("dav"));
        ann.put(BOOK + "alice.vcf", ALICE, Map.of());
        assertThat(ben.propfind(BOOK, "1", "").body()).doesNotContain("alice.vcf");
        assertThat(ben.get(BOOK + "alice.vcf", Map.of()).status()).isEqualTo(404);

        DavClient.Reply xxe = ann.propfind(BOOK, "0", "<?xml version='1.0'?><!DOCTYPE p [<!ENTITY x SYSTEM"
                + " 'file:///etc/passwd'>]><propfind xmlns='DAV:'><prop><displayname>&x;</displayname></prop>"
                + "</propfind>");
        assertThat(xxe.status()).isEqualTo(400);
        assertThat(xxe.body()).doesNotContain("root:");
    }
}
