package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.store.keys.DkimKey;
import dev.hato.store.keys.DkimKeyException;
import dev.hato.store.keys.DkimKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.test.StepVerifier;

/** DKIM keys against the embedded PostgreSQL: one active key per domain and algorithm, rotation, removal. */
class PgDkimKeysTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final String PEM = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/Vpguo==\n"
            + "-----END PRIVATE KEY-----\n";
    private static final Instant T0 = Instant.parse("2026-11-29T10:00:00.123456789Z");

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static DkimKeys keys() {
        return STORE.store().dkimKeys();
    }

    private static String freshDomain() {
        return "dkim-" + NAMES.incrementAndGet() + "-" + System.nanoTime() + ".example";
    }

    private static DkimKey key(String domain, String selector, String algorithm, Instant created, boolean active) {
        return new DkimKey(domain, selector, algorithm, PEM, "AAAA" + selector.length(), created, active);
    }

    private static List<String> selectors(List<DkimKey> keys) {
        return keys.stream().map(DkimKey::selector).toList();
    }

    @Test
    void anAddedKeyShouldComeBackWithEveryFieldAndTheTimeToTheMicrosecond() {
        String domain = freshDomain();
        DkimKey added = keys().add(key(domain, "Sel1", DkimKey.RSA_SHA256, T0, true)).block(WAIT);

        assertThat(added.selector()).isEqualTo("sel1");
        assertThat(added.created()).isEqualTo(Instant.parse("2026-11-29T10:00:00.123456Z"));
        assertThat(keys().keys(domain.toUpperCase()).collectList().block(WAIT)).containsExactly(added);
        assertThat(keys().activeKeys(domain).collectList().block(WAIT)).containsExactly(added);
        assertThat(added.recordName()).isEqualTo("sel1._domainkey." + domain);
    }

    @Test
    void aDomainShouldSignWithOneRsaAndOneEd25519KeySideBySide() {
        String domain = freshDomain();
        keys().add(key(domain, "rsa1", DkimKey.RSA_SHA256, T0, true)).block(WAIT);
        keys().add(key(domain, "ed1", DkimKey.ED25519_SHA256, T0, true)).block(WAIT);

        assertThat(selectors(keys().activeKeys(domain).collectList().block(WAIT))).containsExactly("ed1", "rsa1");
    }

    @Test
    void anActiveKeyAddedLaterShouldRetireTheActiveKeyOfTheSameAlgorithmOnly() {
        String domain = freshDomain();
        keys().add(key(domain, "rsa1", DkimKey.RSA_SHA256, T0, true)).block(WAIT);
        keys().add(key(domain, "ed1", DkimKey.ED25519_SHA256, T0, true)).block(WAIT);
        keys().add(key(domain, "rsa2", DkimKey.RSA_SHA256, T0.plusSeconds(60), true)).block(WAIT);

        assertThat(selectors(keys().activeKeys(domain).collectList().block(WAIT))).containsExactly("ed1", "rsa2");
        assertThat(selectors(keys().keys(domain).collectList().block(WAIT))).containsExactly("rsa2", "ed1", "rsa1");
    }

    @Test
    void aRotationShouldStageAnInactiveKeyThenActivateItAndThenRemoveTheOldOne() {
        String domain = freshDomain();
        keys().add(key(domain, "old", DkimKey.RSA_SHA256, T0, true)).block(WAIT);
        keys().add(key(domain, "new", DkimKey.RSA_SHA256, T0.plusSeconds(60), false)).block(WAIT);
        assertThat(selectors(keys().activeKeys(domain).collectList().block(WAIT))).containsExactly("old");

        DkimKey activated = keys().activate(domain, "NEW").block(WAIT);
        assertThat(activated.active()).isTrue();
        assertThat(selectors(keys().activeKeys(domain).collectList().block(WAIT))).containsExactly("new");

        keys().remove(domain, "old").block(WAIT);
        assertThat(selectors(keys().keys(domain).collectList().block(WAIT))).containsExactly("new");
    }

    @Test
    void aSecondKeyWithTheSameSelectorShouldBeRefusedAndChangeNothing() {
        String domain = freshDomain();
        keys().add(key(domain, "s1", DkimKey.RSA_SHA256, T0, true)).block(WAIT);

        StepVerifier.create(keys().add(key(domain, "s1", DkimKey.ED25519_SHA256, T0, true)))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DkimKeyException.class)
                        .hasMessageContaining(domain).hasMessageContaining("s1")
                        .extracting(x -> ((DkimKeyException) x).reason())
                        .isEqualTo(DkimKeyException.Reason.DUPLICATE_SELECTOR))
                .verify(WAIT);
        assertThat(keys().keys(domain).collectList().block(WAIT)).singleElement()
                .satisfies(k -> assertThat(k.algorithm()).isEqualTo(DkimKey.RSA_SHA256));
    }

    @Test
    void removingOrActivatingAKeyThatDoesNotExistShouldSaySo() {
        String domain = freshDomain();
        StepVerifier.create(keys().remove(domain, "nope"))
                .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(DkimKeyException.class)
                        .hasMessage("no DKIM key nope._domainkey." + domain))
                .verify(WAIT);
        StepVerifier.create(keys().activate(domain, "nope"))
                .expectErrorSatisfies(e -> assertThat(((DkimKeyException) e).reason())
                        .isEqualTo(DkimKeyException.Reason.UNKNOWN_KEY))
                .verify(WAIT);
    }

    @Test
    void aDomainWithoutKeysShouldHaveNoActiveKey() {
        StepVerifier.create(keys().activeKeys(freshDomain())).verifyComplete();
    }

    @Test
    void malformedNamesAndAlgorithmsShouldBeRefusedBeforeTheDatabase() {
        assertThatThrownBy(() -> key("not a domain", "s", DkimKey.RSA_SHA256, T0, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed DKIM domain");
        assertThatThrownBy(() -> key("a.example", "-bad", DkimKey.RSA_SHA256, T0, true))
                .hasMessageContaining("malformed DKIM selector");
        assertThatThrownBy(() -> key("a.example", "s", "rsa-sha1", T0, true))
                .hasMessageContaining("rsa-sha1");
        assertThatThrownBy(() -> new DkimKey("a.example", "s", DkimKey.RSA_SHA256, "not pem", "AAAA", T0, true))
                .hasMessageContaining("PKCS#8");
        assertThat(key("Mail.Example.", "S.Two", DkimKey.RSA_SHA256, T0, true).recordName())
                .isEqualTo("s.two._domainkey.mail.example");
        assertThat(key("Bücher.Example", "s", DkimKey.RSA_SHA256, T0, true).domain()).isEqualTo("xn--bcher-kva.example");
    }
}
