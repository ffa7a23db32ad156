package dev.hato.auth.sasl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.AuthenticatorSettings;
import dev.hato.auth.CredentialSources;
import dev.hato.auth.DirectoryAuthenticator;
import dev.hato.auth.LocalCredentialSource;
import dev.hato.auth.PasswordHasher;
import dev.hato.auth.guard.GuardedAuthenticator;
import dev.hato.auth.guard.LoginThrottle;
import dev.hato.auth.sasl.SaslStep.Challenge;
import dev.hato.auth.sasl.SaslStep.Failure;
import dev.hato.auth.sasl.SaslStep.Reason;
import dev.hato.auth.sasl.SaslStep.Success;
import dev.hato.auth.scram.RfcScramClient;
import dev.hato.auth.scram.ScramKeySource;
import dev.hato.auth.token.JwtVerifier;
import dev.hato.auth.token.TestTokens;
import dev.hato.auth.token.TokenAuthenticator;
import dev.hato.auth.token.TokenKeySource;
import dev.hato.auth.token.TokenKeys;
import dev.hato.auth.token.TokenSettings;
import dev.hato.store.directory.Account;
import dev.hato.store.audit.AuthEvent;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.pg.PgStore;
import dev.hato.store.pg.StoreSettings;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Every mechanism of the engine and every way an exchange can end, against the real directory and audit log in
 * embedded PostgreSQL, real Argon2id hashes, real SCRAM computations by an independent client
 * ({@link RfcScramClient}) and real signed tokens.
 */
class SaslEngineTest {

    private static final PasswordHasher HASHER = new PasswordHasher(8, 1, 1);
    private static final String DOMAIN = "sasl.example.test";
    private static final String ISSUER = "https://portal.example.test";
    private static final String IP = "192.0.2.61";
    private static final AtomicInteger PEOPLE = new AtomicInteger();
    private static final Key TOKEN_KEY = TokenKeys.hmacSecret("a token secret of at least thirty-two bytes");

    @TempDir
    static Path data;
    static PgStore store;
    static Scheduler hashing;
    static byte[] secret;

    @BeforeAll
    static void open() throws Exception {
        store = PgStore.open(StoreSettings.defaults(data));
        hashing = Schedulers.newBoundedElastic(2, 100, "sasl-test-hashing");
        store.directory().addDomain(DOMAIN).block();
        secret = ScramKeySource.secretIn(data.resolve("scram-secret"));
    }

    @AfterAll
    static void close() {
        store.close();
        hashing.dispose();
    }

    // ------------------------------------------------------------------------------------------------ set-up

    private static Account person(String password) {
        String authId = "p" + PEOPLE.incrementAndGet() + "-sasl";
        return store.directory().addAccount(new NewAccount(authId + "@" + DOMAIN, authId, "Person " + authId,
                HASHER.hash(password))).block();
    }

    private static LoginThrottle quickThrottle() {
        return new LoginThrottle(LoginThrottle.Settings.defaults().withDelays(Duration.ZERO, Duration.ZERO)
                .withPerAuthIdFromClient(new LoginThrottle.Limits(0, 3)), Schedulers.parallel());
    }

    private static SaslEngine engine(Directory directory, LoginThrottle throttle, boolean scram, boolean tokens) {
        CredentialSources sources = new CredentialSources(new LocalCredentialSource(HASHER, hashing), Map.of());
        AuthenticatorSettings settings = AuthenticatorSettings.defaults();
        GuardedAuthenticator guard = new GuardedAuthenticator(new DirectoryAuthenticator(directory, sources, HASHER,
                hashing, settings), throttle, store.auditLog());
        TokenAuthenticator tokenChecker = new TokenAuthenticator(new JwtVerifier(new TokenSettings(ISSUER, null,
                "sub", Duration.ofSeconds(60)), TokenKeySource.fixed(TOKEN_KEY)), directory, Clock.systemUTC(), Duration.ofSeconds(10));
        return new SaslEngine(guard, scram ? new ScramKeySource(directory, sources, secret, settings) : null,
                tokens ? tokenChecker : null);
    }

    private static SaslEngine engine() {
        return engine(store.directory(), quickThrottle(), true, true);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] octets) {
        return Base64.getEncoder().encodeToString(octets);
    }

    private static String plain(String authzid, String user, String password) {
        return b64(authzid + "\0" + user + "\0" + password);
    }

    private static String token(String authId) throws Exception {
        return TestTokens.hs256(TOKEN_KEY, TestTokens.claims(ISSUER, authId, Clock.systemUTC().instant()
                .getEpochSecond() + 300));
    }

    private static SaslStep block(Mono<SaslStep> step) {
        return step.block(Duration.ofSeconds(20));
    }

    private static List<AuthEvent.Result> audited(String login, int expected) {
        await().atMost(Duration.ofSeconds(20)).until(() ->
                store.auditLog().query(login, null, 50).collectList().block().size() >= expected);
        List<AuthEvent> newestFirst = new ArrayList<>(store.auditLog().query(login, null, 50).collectList().block());
        Collections.reverse(newestFirst);
        return newestFirst.stream().map(AuthEvent::result).toList();
    }

    // ------------------------------------------------------------------------------------------------ offer

    @Test
    void theMechanismsShouldBeOfferedStrongestFirstAndOnlyWhenTheirBackendIsThere() {
        assertThat(engine().mechanisms()).containsExactly("SCRAM-SHA-256", "PLAIN", "LOGIN", "OAUTHBEARER",
                "XOAUTH2");
        SaslEngine bare = engine(store.directory(), quickThrottle(), false, false);
        assertThat(bare.mechanisms()).containsExactly("PLAIN", "LOGIN");
        assertThat(bare.offers("plain")).isTrue();
        assertThat(bare.offers("SCRAM-SHA-256")).isFalse();

        for (String unoffered : new String[] {"SCRAM-SHA-256", "OAUTHBEARER", "XOAUTH2", "CRAM-MD5",
                "SCRAM-SHA-256-PLUS"}) {
            SaslExchange exchange = bare.start(unoffered, "smtp", IP);
            assertThat(exchange.mechanism()).isNull();
            assertThat(block(exchange.start(null))).isEqualTo(Failure.of(Reason.UNSUPPORTED_MECHANISM));
            assertThat(exchange.finished()).isTrue();
        }
    }

    // ------------------------------------------------------------------------------------------------ PLAIN

    @Test
    void plainWithAnInitialResponseShouldLogInAndBeAudited() {
        Account ann = person("pencil");
        SaslExchange exchange = engine().start("plain", "imap", IP);

        assertThat(exchange.mechanism()).isEqualTo("PLAIN");
        assertThat(block(exchange.start(plain("", ann.authId(), "pencil")))).isEqualTo(new Success(ann, null));
        assertThat(exchange.finished()).isTrue();
        assertThat(audited(ann.authId(), 1)).containsExactly(AuthEvent.Result.SUCCESS);
        assertThat(store.auditLog().query(ann.authId(), null, 1).blockFirst().protocol()).isEqualTo("imap");
    }

    @Test
    void plainWithoutAnInitialResponseShouldSendAnEmptyChallengeFirst() {
        Account ann = person("pencil");
        SaslExchange exchange = engine().start("PLAIN", "smtp", IP);

        assertThat(block(exchange.start(null))).isEqualTo(new Challenge(""));
        assertThat(exchange.finished()).isFalse();
        // The authorization identity may name the user itself.
        assertThat(block(exchange.respond(plain(ann.authId(), ann.authId(), "pencil"))))
                .isEqualTo(new Success(ann, null));
    }

    @Test
    void plainWithAWrongPasswordOrAnAddressShouldBeRejectedAndCounted() {
        Account ann = person("pencil");
        SaslEngine engine = engine();

        assertThat(block(engine.start("PLAIN", "pop3", IP).start(plain("", ann.authId(), "crayon"))))
                .isEqualTo(new Failure(Reason.REJECTED, false, null));
        assertThat(block(engine.start("PLAIN", "pop3", IP).start(plain("", ann.address(), "pencil"))))
                .isEqualTo(new Failure(Reason.REJECTED, true, null));
        assertThat(audited(ann.authId(), 1)).containsExactly(AuthEvent.Result.REJECTED);
        assertThat(audited(ann.address(), 1)).containsExactly(AuthEvent.Result.REJECTED);
    }

    @Test
    void plainActingAsSomeoneElseShouldBeRefusedBeforeAnyCheck() {
        Account ann = person("pencil");
        Account bob = person("pencil");

        assertThat(block(engine().start("PLAIN", "smtp", IP).start(plain(bob.authId(), ann.authId(), "pencil"))))
                .isEqualTo(Failure.of(Reason.AUTHZID_REFUSED));
    }

    @Test
    void malformedResponsesShouldBeProtocolErrorsNotLogins() {
        SaslEngine engine = engine();
        // "=" is the empty response: no PLAIN message; then not base64; then base64 of something else.
        for (String response : new String[] {"=", "!!not base64", b64("no separators"), b64("\0\0pw"),
                "*x"}) {
            assertThat(block(engine.start("PLAIN", "smtp", IP).start(response))).as(response)
                    .isEqualTo(Failure.of(Reason.MALFORMED));
        }
        SaslExchange exchange = engine.start("PLAIN", "smtp", IP);
        block(exchange.start(null));
        assertThat(block(exchange.respond("&&&"))).isEqualTo(Failure.of(Reason.MALFORMED));
        assertThat(exchange.finished()).isTrue();
    }

    @Test
    void aStarShouldCancelAndAnOverlongResponseShouldEndTheExchange() {
        SaslEngine engine = engine();
        SaslExchange cancelled = engine.start("PLAIN", "smtp", IP);
        block(cancelled.start(null));
        assertThat(block(cancelled.respond("*"))).isEqualTo(Failure.of(Reason.CANCELLED));
        assertThat(cancelled.finished()).isTrue();

        SaslExchange overlong = engine.start("PLAIN", "smtp", IP);
        assertThat(block(overlong.start("A".repeat(SaslEngine.MAX_RESPONSE + 4))))
                .isEqualTo(Failure.of(Reason.TOO_LONG));
        assertThat(block(engine.start("PLAIN", "smtp", IP).start("A".repeat(SaslEngine.MAX_RESPONSE))))
                .isEqualTo(Failure.of(Reason.MALFORMED));
    }

    @Test
    void answeringWhenNoChallengeWaitsShouldBeAnErrorOfTheCaller() {
        SaslExchange exchange = engine().start("PLAIN", "smtp", IP);
        assertThatThrownBy(() -> block(exchange.respond("x"))).isInstanceOf(IllegalStateException.class);
        block(exchange.start("!!"));
        assertThatThrownBy(() -> block(exchange.respond("x"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> block(exchange.start(null))).isInstanceOf(IllegalStateException.class);
    }

    // ------------------------------------------------------------------------------------------------ LOGIN

    @Test
    void loginShouldAskForUsernameAndPassword() {
        Account ann = person("pencil");
        SaslExchange exchange = engine().start("LOGIN", "smtp", IP);

        assertThat(block(exchange.start(null))).isEqualTo(new Challenge("Username:"));
        assertThat(block(exchange.respond(b64(ann.authId())))).isEqualTo(new Challenge("Password:"));
        assertThat(block(exchange.respond(b64("pencil")))).isEqualTo(new Success(ann, null));
    }

    @Test
    void loginWithTheUsernameAsInitialResponseShouldAskOnlyForThePassword() {
        Account ann = person("pencil");
        SaslExchange exchange = engine().start("LOGIN", "smtp", IP);

        assertThat(block(exchange.start(b64(ann.authId())))).isEqualTo(new Challenge("Password:"));
        assertThat(block(exchange.respond(b64("crayon")))).isEqualTo(new Failure(Reason.REJECTED, false, null));
    }

    @Test
    void loginWithAnEmptyUsernameShouldBeMalformed() {
        SaslExchange exchange = engine().start("LOGIN", "smtp", IP);
        block(exchange.start(null));
        assertThat(block(exchange.respond(""))).isEqualTo(Failure.of(Reason.MALFORMED));
    }

    // ------------------------------------------------------------------------------------------------ SCRAM

    /** Client-first and client-final of an exchange; returns the step after the client-final-message. */
    private static SaslStep scramTo(SaslExchange exchange, RfcScramClient client, boolean initial) throws Exception {
        SaslStep first;
        if (initial) {
            first = block(exchange.start(b64(client.first())));
        } else {
            assertThat(block(exchange.start(null))).isEqualTo(new Challenge(""));
            first = block(exchange.respond(b64(client.first())));
        }
        String serverFirst = ((Challenge) first).data();
        assertThat(serverFirst).matches("r=cnonce[^,]+,s=[A-Za-z0-9+/]{22}==,i=4096");
        return block(exchange.respond(b64(client.finalMessage(serverFirst))));
    }

    @Test
    void scramShouldProveBothSidesAndSucceedAfterTheClientsEmptyAnswer() throws Exception {
        Account ann = person("pencil");
        for (String empty : new String[] {"", "="}) {
            RfcScramClient client = new RfcScramClient("n,,", ann.authId(), "pencil", "cnonce" + empty.length());
            SaslExchange exchange = engine().start("scram-sha-256", "pop3", IP);

            SaslStep serverFinal = scramTo(exchange, client, empty.isEmpty());

            String signature = ((Challenge) serverFinal).data();
            assertThat(client.acceptsServerFinal(signature)).as(signature).isTrue();
            assertThat(exchange.finished()).isFalse();
            assertThat(block(exchange.respond(empty))).isEqualTo(new Success(ann, signature));
        }
        assertThat(audited(ann.authId(), 2)).containsExactly(AuthEvent.Result.SUCCESS, AuthEvent.Result.SUCCESS);
    }

    @Test
    void scramWithAWrongPasswordShouldFailWithInvalidProof() throws Exception {
        Account ann = person("pencil");
        RfcScramClient client = new RfcScramClient("n,,", ann.authId(), "crayon", "cnonce1");

        assertThat(scramTo(engine().start("SCRAM-SHA-256", "smtp", IP), client, true))
                .isEqualTo(new Failure(Reason.REJECTED, false, "e=invalid-proof"));
        assertThat(audited(ann.authId(), 1)).containsExactly(AuthEvent.Result.REJECTED);
    }

    @Test
    void scramWithAnAddressShouldFailLikeAWrongPasswordWithTheHint() throws Exception {
        Account ann = person("pencil");
        RfcScramClient client = new RfcScramClient("n,,", ann.address(), "pencil", "cnonce2");

        assertThat(scramTo(engine().start("SCRAM-SHA-256", "smtp", IP), client, true))
                .isEqualTo(new Failure(Reason.REJECTED, true, "e=invalid-proof"));
    }

    @Test
    void scramWhoseServerSignatureTheClientRefusesShouldNotLogIn() throws Exception {
        Account ann = person("pencil");
        RfcScramClient client = new RfcScramClient("n,,", ann.authId(), "pencil", "cnonce3");
        SaslExchange exchange = engine().start("SCRAM-SHA-256", "imap", IP);
        scramTo(exchange, client, true);

        assertThat(block(exchange.respond(b64("e=other-error")))).isEqualTo(Failure.of(Reason.NOT_CONFIRMED));
        SaslExchange cancelled = engine().start("SCRAM-SHA-256", "imap", IP);
        scramTo(cancelled, new RfcScramClient("n,,", ann.authId(), "pencil", "cnonce4"), true);
        assertThat(block(cancelled.respond("*"))).isEqualTo(Failure.of(Reason.CANCELLED));
    }

    @Test
    void aMalformedClientFirstMessageShouldFailWithItsScramErrorUncounted() {
        SaslStep step = block(engine().start("SCRAM-SHA-256", "smtp", IP)
                .start(b64("p=tls-unique,,n=nobody-here,r=abc")));

        assertThat(step).isEqualTo(new Failure(Reason.REJECTED, false, "e=channel-binding-not-supported"));
        assertThat(block(engine().start("SCRAM-SHA-256", "smtp", IP).start("=")))
                .isEqualTo(new Failure(Reason.REJECTED, false, "e=invalid-encoding"));
    }

    @Test
    void aScramExchangeBrokenOffAfterTheFirstMessageShouldCountAsAFailedLogin() throws Exception {
        Account ann = person("pencil");
        Account bob = person("pencil");
        Account cat = person("pencil");
        SaslEngine engine = engine();

        SaslExchange cancelled = engine.start("SCRAM-SHA-256", "smtp", IP);
        block(cancelled.start(b64(new RfcScramClient("n,,", ann.authId(), "x", "c1").first())));
        assertThat(block(cancelled.respond("*"))).isEqualTo(Failure.of(Reason.CANCELLED));

        SaslExchange garbled = engine.start("SCRAM-SHA-256", "smtp", IP);
        block(garbled.start(b64(new RfcScramClient("n,,", bob.authId(), "x", "c2").first())));
        assertThat(block(garbled.respond("!!"))).isEqualTo(Failure.of(Reason.MALFORMED));

        SaslExchange dropped = engine.start("SCRAM-SHA-256", "smtp", IP);
        block(dropped.start(b64(new RfcScramClient("n,,", cat.authId(), "x", "c3").first())));
        dropped.abandon();
        assertThat(dropped.finished()).isTrue();

        assertThat(audited(ann.authId(), 1)).containsExactly(AuthEvent.Result.REJECTED);
        assertThat(audited(bob.authId(), 1)).containsExactly(AuthEvent.Result.REJECTED);
        assertThat(audited(cat.authId(), 1)).containsExactly(AuthEvent.Result.REJECTED);
    }

    // ------------------------------------------------------------------------------------------------ tokens

    @Test
    void aValidBearerTokenShouldLogInWithOauthbearerAndXoauth2() throws Exception {
        Account ann = person("pencil");
        SaslEngine engine = engine();

        assertThat(block(engine.start("OAUTHBEARER", "imap", IP).start(TestTokens.oauthBearer(ann.authId(),
                token(ann.authId()))))).isEqualTo(new Success(ann, null));
        SaslExchange xoauth2 = engine.start("xoauth2", "imap", IP);
        assertThat(block(xoauth2.start(null))).isEqualTo(new Challenge(""));
        assertThat(block(xoauth2.respond(TestTokens.xoauth2(ann.address(), token(ann.authId())))))
                .isEqualTo(new Success(ann, null));
    }

    @Test
    void aRefusedTokenShouldSendTheJsonErrorAsAChallengeThenFailWhateverTheAnswer() throws Exception {
        Account ann = person("pencil");
        Account bob = person("pencil");
        SaslEngine engine = engine();
        String json = "{\"status\":\"invalid_token\",\"schemes\":\"bearer\"}";
        String forged = TestTokens.hs256(TokenKeys.hmacSecret("another secret that is also thirty-two bytes"),
                TestTokens.claims(ISSUER, ann.authId(), Clock.systemUTC().instant().getEpochSecond() + 300));

        SaslExchange exchange = engine.start("OAUTHBEARER", "smtp", IP);
        assertThat(block(exchange.start(TestTokens.oauthBearer(ann.authId(), forged)))).isEqualTo(new Challenge(json));
        assertThat(block(exchange.respond("AQ=="))).isEqualTo(new Failure(Reason.REJECTED, false, json));

        // A valid token of ann's that names bob as the user, answered with "*": still the refusal, not a cancel.
        SaslExchange naming = engine.start("OAUTHBEARER", "smtp", IP);
        assertThat(block(naming.start(TestTokens.oauthBearer(bob.authId(), token(ann.authId())))))
                .isEqualTo(new Challenge(json));
        assertThat(block(naming.respond("*"))).isEqualTo(new Failure(Reason.REJECTED, false, json));
        assertThat(audited(bob.authId(), 1)).containsExactly(AuthEvent.Result.REJECTED);
    }

    @Test
    void aMalformedBearerResponseShouldBeAProtocolError() {
        SaslEngine engine = engine();
        assertThat(block(engine.start("OAUTHBEARER", "smtp", IP).start("not-base64!")))
                .isEqualTo(Failure.of(Reason.MALFORMED));
        assertThat(block(engine.start("XOAUTH2", "smtp", IP).start(b64("auth=Bearer x\u0001\u0001"))))
                .isEqualTo(Failure.of(Reason.MALFORMED));
    }

    // ------------------------------------------------------------------------------------------------ guard

    @Test
    void failuresOfEveryMechanismShouldCountTogetherAndLockOutEveryMechanism() throws Exception {
        Account ann = person("pencil");
        SaslEngine engine = engine();
        String forged = TestTokens.hs256(TokenKeys.hmacSecret("another secret that is also thirty-two bytes"),
                TestTokens.claims(ISSUER, ann.authId(), Clock.systemUTC().instant().getEpochSecond() + 300));

        block(engine.start("PLAIN", "smtp", IP).start(plain("", ann.authId(), "crayon")));
        scramTo(engine.start("SCRAM-SHA-256", "imap", IP), new RfcScramClient("n,,", ann.authId(), "chalk", "cnonce-x"),
                true);
        SaslExchange token = engine.start("OAUTHBEARER", "pop3", IP);
        block(token.start(TestTokens.oauthBearer(ann.authId(), forged)));
        block(token.respond("AQ=="));

        Failure locked = new Failure(Reason.UNAVAILABLE, false, null);
        assertThat(block(engine.start("PLAIN", "smtp", IP).start(plain("", ann.authId(), "pencil"))))
                .isEqualTo(locked);
        assertThat(block(engine.start("SCRAM-SHA-256", "smtp", IP)
                .start(b64(new RfcScramClient("n,,", ann.authId(), "pencil", "cny").first())))).isEqualTo(locked);
        assertThat(engine.password(ann.authId(), "pencil", "imap", IP).block(Duration.ofSeconds(20)))
                .isEqualTo(new AuthOutcome.Unavailable(GuardedAuthenticator.LOCKED_REASON));
        assertThat(audited(ann.authId(), 6)).containsExactly(AuthEvent.Result.REJECTED, AuthEvent.Result.REJECTED,
                AuthEvent.Result.REJECTED, AuthEvent.Result.LOCKED, AuthEvent.Result.LOCKED, AuthEvent.Result.LOCKED);
    }

    @Test
    void aDirectoryThatCannotAnswerShouldBeATemporaryFailureForEveryMechanism() throws Exception {
        Directory down = (Directory) Proxy.newProxyInstance(Directory.class.getClassLoader(),
                new Class<?>[] {Directory.class},
                (proxy, method, args) -> Mono.error(new IllegalStateException("database down")));
        SaslEngine engine = engine(down, quickThrottle(), true, true);
        Failure unavailable = new Failure(Reason.UNAVAILABLE, false, null);

        assertThat(block(engine.start("PLAIN", "smtp", IP).start(plain("", "ann-x7q2", "pencil"))))
                .isEqualTo(unavailable);
        assertThat(block(engine.start("SCRAM-SHA-256", "smtp", IP)
                .start(b64(new RfcScramClient("n,,", "ann-x7q2", "pencil", "cnz").first())))).isEqualTo(unavailable);
        assertThat(block(engine.start("XOAUTH2", "smtp", IP).start(TestTokens.xoauth2("", token("ann-x7q2")))))
                .isEqualTo(unavailable);
    }

    // ------------------------------------------------------------------------------------- one connection's side

    @Test
    void aConversationWithoutLoginShouldNeitherOfferNorRunIt() {
        SaslConversation imap = new SaslConversation(engine(), "imap", IP, false);
        assertThat(imap.mechanisms()).doesNotContain(SaslEngine.LOGIN).contains(SaslEngine.PLAIN);
        assertThat(block(imap.start("login", null))).isEqualTo(Failure.of(Reason.UNSUPPORTED_MECHANISM));
        assertThat(imap.active()).isFalse();

        SaslConversation smtp = new SaslConversation(engine(), "smtp", IP, true);
        assertThat(smtp.mechanisms()).contains(SaslEngine.LOGIN);
        assertThat(block(smtp.start("login", null))).isEqualTo(new Challenge("Username:"));
        assertThat(smtp.active()).isTrue();
        assertThat(smtp.mechanism()).isEqualTo(SaslEngine.LOGIN);
    }

    @Test
    void aConversationShouldBeActiveOnlyUntilItsExchangeGivesAFinalStep() {
        Account ann = person("conversation secret");
        SaslConversation conversation = new SaslConversation(engine(), "imap", IP, false);
        assertThat(conversation.active()).isFalse();
        assertThatThrownBy(() -> block(conversation.respond("=")))
                .isInstanceOf(IllegalStateException.class);

        assertThat(block(conversation.start("PLAIN", null))).isEqualTo(new Challenge(""));
        assertThat(conversation.active()).isTrue();
        assertThat(block(conversation.respond(plain("", ann.authId(), "conversation secret"))))
                .isInstanceOfSatisfying(Success.class, success -> assertThat(success.account().id())
                        .isEqualTo(ann.id()));
        assertThat(conversation.active()).isFalse();
        assertThatThrownBy(() -> block(conversation.respond("=")))
                .isInstanceOf(IllegalStateException.class);

        assertThat(block(conversation.start("PLAIN", null))).isEqualTo(new Challenge(""));
        conversation.abandon();
        assertThat(conversation.active()).isFalse();
        conversation.abandon(); // nothing runs: nothing to abandon
    }
}
