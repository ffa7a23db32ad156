package dev.hato.auth.ldap;

import static dev.hato.auth.ldap.TestDirectoryServer.PEOPLE;
import static dev.hato.auth.ldap.TestDirectoryServer.SERVICE_DN;
import static dev.hato.auth.ldap.TestDirectoryServer.SERVICE_PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.auth.BreakerSettings;
import dev.hato.auth.CredentialSourceException;
import dev.hato.auth.ResilientCredentialSource;
import dev.hato.store.directory.Account;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class LdapCredentialSourceTest {

    private static final Duration TIMEOUT = Duration.ofMillis(800);
    /** Timings are asserted only as "within the configured timeouts plus this margin". */
    private static final Duration MARGIN = Duration.ofSeconds(3);

    private static final Account ANN = account("abcd.e.fg-x7q2");
    private static final String ANN_PASSWORD = "right horse";

    private static TestCertificate certificate;
    private static TestDirectoryServer server;
    private static Path caFile;
    private static Path otherCaFile;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    @BeforeAll
    static void startDirectory(@TempDir Path dir) throws Exception {
        certificate = TestCertificate.forLoopback();
        caFile = certificate.writePem(dir, "ca.pem");
        otherCaFile = TestCertificate.forLoopback().writePem(dir, "other-ca.pem");
        server = new TestDirectoryServer(certificate);
        server.addPerson("abcd.e.fg-x7q2", "ann@uni.example.org", "Ann Abcd", ANN_PASSWORD);
        server.addPerson("ijkl.m-9rt3", "ian@uni.example.org", "Ian Ijkl", "another horse");
        server.add("dn: uid=nomail-k3mz," + PEOPLE, "objectClass: inetOrgPerson", "uid: nomail-k3mz",
                "cn: No Mail", "sn: Mail", "userPassword: quiet horse");
        // The same auth ID twice: a broken directory; nobody may log in as either.
        server.add("dn: ou=staff," + PEOPLE, "objectClass: organizationalUnit", "ou: staff");
        server.addPerson("twin-aaaa", "twin1@uni.example.org", "Twin One", "twin horse");
        server.add("dn: uid=twin-aaaa,ou=staff," + PEOPLE, "objectClass: inetOrgPerson", "uid: twin-aaaa",
                "cn: Twin Two", "sn: Two", "userPassword: twin horse");
    }

    @AfterAll
    static void stopDirectory() {
        server.close();
    }

    @AfterEach
    void closeSources() throws Exception {
        for (AutoCloseable closeable : closeAfter) {
            closeable.close();
        }
    }

    private static Account account(String authId) {
        return new Account(1, 1, authId + "@uni.example.org", authId, authId, null);
    }

    private static LdapSettings settings(String... urls) {
        return LdapSettings.defaults("campus", List.of(urls), PEOPLE)
                .withBind(SERVICE_DN, SERVICE_PASSWORD)
                .withConnectTimeout(TIMEOUT)
                .withResponseTimeout(TIMEOUT)
                .withPoolSize(2);
    }

    private LdapCredentialSource source(LdapSettings settings) {
        LdapCredentialSource source = new LdapCredentialSource(settings);
        closeAfter.add(source);
        return source;
    }

    private static void expect(Mono<Boolean> answer, boolean expected) {
        StepVerifier.create(answer).expectNext(expected).expectComplete().verify(TIMEOUT.multipliedBy(4).plus(MARGIN));
    }

    private static void expectError(Mono<Boolean> answer) {
        StepVerifier.create(answer)
                .expectError(CredentialSourceException.class)
                .verify(TIMEOUT.multipliedBy(4).plus(MARGIN));
    }

    @Test
    void theEntryFoundByAuthIdShouldBindWithTheRightPassword() {
        LdapCredentialSource source = source(settings(server.ldapUrl()));
        assertThat(source.name()).isEqualTo("ldap:campus");
        expect(source.verify(ANN, ANN_PASSWORD), true);
        expect(source.verify(account("ijkl.m-9rt3"), "another horse"), true);
    }

    @Test
    void anonymousSearchesShouldWorkWhenNoBindDnIsConfigured() {
        LdapCredentialSource source = source(settings(server.ldapUrl()).withBind(null, null));
        expect(source.verify(ANN, ANN_PASSWORD), true);
    }

    @Test
    void aWrongPasswordShouldBeFalseNotAnError() {
        LdapCredentialSource source = source(settings(server.ldapUrl()));
        expect(source.verify(ANN, "wrong horse"), false);
        expect(source.verify(ANN, "another horse"), false);
    }

    @Test
    void anAuthIdWithoutEntryShouldBeFalse() {
        expect(source(settings(server.ldapUrl())).verify(account("nobody-zzzz"), ANN_PASSWORD), false);
    }

    @Test
    void anEmptyPasswordShouldNeverLogInAsAnUnauthenticatedBind() {
        expect(source(settings(server.ldapUrl())).verify(ANN, ""), false);
    }

    @Test
    void filterCharactersInTheAuthIdShouldBeEscapedSoTheyCannotWidenTheSearch() {
        LdapCredentialSource source = source(settings(server.ldapUrl()));
        expect(source.verify(account("abcd.e.fg-x7q*"), ANN_PASSWORD), false);
        expect(source.verify(account("*"), ANN_PASSWORD), false);
        expect(source.verify(account("x)(uid=abcd.e.fg-x7q2"), ANN_PASSWORD), false);
    }

    @Test
    void anAuthIdFoundTwiceShouldBeRefused() {
        expect(source(settings(server.ldapUrl())).verify(account("twin-aaaa"), "twin horse"), false);
    }

    @Test
    void aDnTemplateShouldBindDirectlyWithoutASearch() {
        LdapCredentialSource source = source(settings(server.ldapUrl())
                .withBind(null, null)
                .withBindDnTemplate("uid={authId}," + PEOPLE));
        expect(source.verify(ANN, ANN_PASSWORD), true);
        expect(source.verify(ANN, "wrong horse"), false);
        expect(source.verify(account("nobody-zzzz"), ANN_PASSWORD), false);
        expect(source.verify(account("abcd.e.fg-x7q2,ou=people"), ANN_PASSWORD), false);
    }

    @Test
    void ldapsShouldWorkWithTheServerCertificateTrustedFromAPemFile() {
        expect(source(settings(server.ldapsUrl()).withTrust(caFile.toString())).verify(ANN, ANN_PASSWORD), true);
        expect(source(settings(server.ldapsUrl("localhost")).withTrust(caFile.toString())).verify(ANN, ANN_PASSWORD),
                true);
    }

    @Test
    void startTlsShouldWorkWithTheServerCertificateTrustedFromAPemFile() {
        LdapCredentialSource source = source(settings(server.ldapUrl()).withStartTls(true)
                .withTrust(caFile.toString()));
        expect(source.verify(ANN, ANN_PASSWORD), true);
        expect(source.verify(ANN, "wrong horse"), false);
    }

    @Test
    void anUntrustedCertificateShouldBeAnErrorNeverAWrongPassword() {
        expectError(source(settings(server.ldapsUrl()).withTrust(otherCaFile.toString())).verify(ANN, ANN_PASSWORD));
        expectError(source(settings(server.ldapUrl()).withStartTls(true).withTrust(otherCaFile.toString()))
                .verify(ANN, ANN_PASSWORD));
    }

    @Test
    void aTrustedCertificateForAnotherHostNameShouldBeRefused(@TempDir Path dir) throws Exception {
        TestCertificate other = TestCertificate.forOtherHost();
        try (TestDirectoryServer impostor = new TestDirectoryServer(other)) {
            impostor.addPerson("abcd.e.fg-x7q2", "ann@uni.example.org", "Ann Abcd", ANN_PASSWORD);
            String trust = other.writePem(dir, "impostor.pem").toString();
            // Named "localhost": the SDK waives the name check for numeric loopback addresses.
            expectError(source(settings(impostor.ldapsUrl("localhost")).withTrust(trust)).verify(ANN, ANN_PASSWORD));
            // The test-only escape hatch skips both checks.
            expect(source(settings(impostor.ldapsUrl()).withInsecureTrustAll(true)).verify(ANN, ANN_PASSWORD),
                    true);
        }
    }

    @Test
    void peopleShouldListEveryInetOrgPersonAcrossSeveralPages() throws Exception {
        try (TestDirectoryServer big = new TestDirectoryServer(certificate)) {
            big.addPerson("abcd.e.fg-x7q2", "ann@uni.example.org", "Ann Abcd", ANN_PASSWORD);
            big.add("dn: uid=nomail-k3mz," + PEOPLE, "objectClass: inetOrgPerson", "uid: nomail-k3mz",
                    "cn: No Mail", "sn: Mail");
            big.add("dn: cn=printer," + PEOPLE, "objectClass: device", "cn: printer");
            for (int i = 0; i < 450; i++) {
                big.addPerson(String.format("p%03d-x7q2", i), "p" + i + "@uni.example.org", "Person " + i, "pw");
            }
            LdapCredentialSource source = source(settings(big.ldapUrl()));
            List<LdapPerson> people = source.people().collectList().block(Duration.ofSeconds(30));
            assertThat(people).hasSize(452)
                    .contains(new LdapPerson("abcd.e.fg-x7q2", "ann@uni.example.org", "Ann Abcd"))
                    .contains(new LdapPerson("nomail-k3mz", null, "No Mail"))
                    .contains(new LdapPerson("p449-x7q2", "p449@uni.example.org", "Person 449"));
            assertThat(people).extracting(LdapPerson::authId).doesNotHaveDuplicates();
            // The connection went back to the pool: logins still work.
            expect(source.verify(ANN, ANN_PASSWORD), true);
        }
    }

    @Test
    void peopleShouldUseTheConfiguredAttributesAndFilter() {
        LdapCredentialSource source = source(settings(server.ldapUrl())
                .withPeople(PEOPLE, "(mail=*@uni.example.org)")
                .withAttributes("uid", "cn", "mail"));
        assertThat(source.people().collectList().block(Duration.ofSeconds(10)))
                .contains(new LdapPerson("abcd.e.fg-x7q2", "Ann Abcd", "ann@uni.example.org"))
                .extracting(LdapPerson::authId)
                .doesNotContain("nomail-k3mz");
    }

    @Test
    void aStoppedDirectoryShouldBeAnErrorWithinTheTimeoutAndWorkAgainOnceRestarted() throws Exception {
        try (TestDirectoryServer flaky = new TestDirectoryServer(certificate)) {
            flaky.addPerson("abcd.e.fg-x7q2", "ann@uni.example.org", "Ann Abcd", ANN_PASSWORD);
            LdapCredentialSource source = source(settings(flaky.ldapUrl()));
            expect(source.verify(ANN, ANN_PASSWORD), true);

            flaky.stop();
            expectError(source.verify(ANN, ANN_PASSWORD));
            expectError(source.verify(ANN, "wrong horse"));

            flaky.start();
            expect(source.verify(ANN, ANN_PASSWORD), true);
            expect(source.verify(ANN, "wrong horse"), false);
        }
    }

    @Test
    void aHangingDirectoryShouldBeAnErrorWithinTheTimeout() throws Exception {
        try (Blackhole hole = new Blackhole()) {
            expectError(source(settings(hole.url())).verify(ANN, ANN_PASSWORD));
            expectError(source(settings(hole.url()).withBind(null, null)).verify(ANN, ANN_PASSWORD));
            expectError(source(settings(hole.url()).withBindDnTemplate("uid={authId}," + PEOPLE))
                    .verify(ANN, ANN_PASSWORD));
            expectError(source(settings(hole.url().replace("ldap:", "ldaps:")).withTrust(caFile.toString()))
                    .verify(ANN, ANN_PASSWORD));
        }
    }

    @Test
    void subscribingShouldNotWaitForTheDirectory() throws Exception {
        try (Blackhole hole = new Blackhole()) {
            LdapCredentialSource source = source(settings(hole.url()).withResponseTimeout(Duration.ofSeconds(30)));
            AtomicReference<Object> signal = new AtomicReference<>();
            Disposable pending = source.verify(ANN, ANN_PASSWORD).subscribe(signal::set, signal::set);
            // Had subscribe() waited for the directory, it would only return after the 30 s response timeout
            // with an answer already there.
            assertThat(signal.get()).isNull();
            pending.dispose();
        }
    }

    @Test
    void manyConcurrentLoginsShouldShareASmallPoolWithoutLosingConnections() {
        LdapCredentialSource source = source(settings(server.ldapUrl()).withPoolSize(1));
        List<Boolean> answers = reactor.core.publisher.Flux.range(0, 40)
                .flatMap(i -> source.verify(ANN, i % 2 == 0 ? ANN_PASSWORD : "wrong horse"), 40)
                .collectList()
                .block(Duration.ofSeconds(30));
        assertThat(answers).hasSize(40).containsOnly(true, false);
        assertThat(answers.stream().filter(ok -> ok)).hasSize(20);
        // Logins cut off by a caller's timeout must give their connections back too, whenever the timeout strikes:
        // from at once to 1 ms later in steps of 25 µs, so that some cancels race the hand-over of a checked-out
        // connection (which, while the caller's side handed connections back, now and then lost the pool's only
        // connection for good: on a loaded machine, two runs in four).
        for (int i = 0; i < 400; i++) {
            Duration cutOff = Duration.ofNanos(1 + (i % 40) * 25_000L);
            source.verify(ANN, ANN_PASSWORD).timeout(cutOff, Mono.just(false)).block();
        }
        // The cancelled logins hand their connection back when their bind finishes, which on a loaded machine can
        // take longer than the pool's wait; what matters is that it comes back, so allow a few seconds.
        Boolean answer = null;
        for (int attempt = 0; attempt < 20 && !Boolean.TRUE.equals(answer); attempt++) {
            answer = source.verify(ANN, ANN_PASSWORD).onErrorReturn(false).block(Duration.ofSeconds(30));
            if (!Boolean.TRUE.equals(answer)) {
                sleep(250);
            }
        }
        assertThat(answer).as("the pool's connection came back after cancelled logins").isTrue();
        expect(source.verify(ANN, ANN_PASSWORD), true);
    }

    @Test
    void theNextUrlShouldBeUsedWhenTheFirstDirectoryIsDown() throws Exception {
        String dead = "ldap://127.0.0.1:" + TestDirectoryServer.freePort();
        LdapCredentialSource source = source(settings(dead, server.ldapUrl()));
        expect(source.verify(ANN, ANN_PASSWORD), true);
        expect(source.verify(ANN, "wrong horse"), false);
    }

    @Test
    void behindABreakerAnOutageShouldFailFastAndRecoverByItself() throws Exception {
        try (TestDirectoryServer flaky = new TestDirectoryServer(certificate)) {
            flaky.addPerson("abcd.e.fg-x7q2", "ann@uni.example.org", "Ann Abcd", ANN_PASSWORD);
            ResilientCredentialSource guarded = new ResilientCredentialSource(source(settings(flaky.ldapUrl())),
                    BreakerSettings.defaults().withTimeout(TIMEOUT.multipliedBy(3)).withSlidingWindowSize(4)
                            .withMinimumNumberOfCalls(4).withWaitDurationInOpenState(Duration.ofMillis(500))
                            .withPermittedCallsInHalfOpen(1),
                    new SimpleMeterRegistry());
            expect(guarded.verify(ANN, ANN_PASSWORD), true);
            flaky.stop();
            for (int i = 0; i < 3; i++) {
                StepVerifier.create(guarded.verify(ANN, ANN_PASSWORD)).expectError().verify(MARGIN.plus(TIMEOUT));
            }
            assertThat(guarded.state()).isEqualTo(ResilientCredentialSource.State.OPEN);
            StepVerifier.create(guarded.verify(ANN, ANN_PASSWORD)).expectError(CallNotPermittedException.class)
                    .verify(Duration.ofSeconds(1));

            flaky.start();
            // refused at once until the configured wait in the open state (500 ms) has passed, then a probe
            boolean verified = false;
            for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos(); !verified;
                    Thread.sleep(50)) {
                assertThat(System.nanoTime()).as("the breaker let a probe through within 30 s").isLessThan(deadline);
                try {
                    verified = Boolean.TRUE.equals(guarded.verify(ANN, ANN_PASSWORD).block(MARGIN.plus(TIMEOUT)));
                } catch (CallNotPermittedException stillOpen) {
                    assertThat(guarded.state()).isEqualTo(ResilientCredentialSource.State.OPEN);
                }
            }
            assertThat(guarded.state()).isEqualTo(ResilientCredentialSource.State.CLOSED);
        }
    }

    @Test
    void dnValuesShouldBeEscaped() {
        assertThat(LdapCredentialSource.escapeDn("abcd.e.fg-x7q2")).isEqualTo("abcd.e.fg-x7q2");
        assertThat(LdapCredentialSource.escapeDn("a,ou=x+b")).isEqualTo("a\\,ou=x\\+b");
    }

    /** Accepts TCP connections on loopback and never answers: a directory that hangs. */
    private static final class Blackhole implements AutoCloseable {
        private final ServerSocket socket;
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Blackhole() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(socket.accept());
                    }
                } catch (IOException closed) {
                    // done
                }
            }, "ldap-blackhole");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "ldap://127.0.0.1:" + socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
