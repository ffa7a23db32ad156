package dev.hato.auth.sasl;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.SaslPlain;
import dev.hato.auth.scram.ScramMechanism;
import dev.hato.auth.sasl.SaslStep.Challenge;
import dev.hato.auth.sasl.SaslStep.Failure;
import dev.hato.auth.sasl.SaslStep.Reason;
import dev.hato.auth.sasl.SaslStep.Success;
import dev.hato.auth.token.BearerSasl;
import dev.hato.store.directory.Account;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * One SASL exchange (RFC 4422 §3) as a state machine: {@link #start} with the client's initial response (or none),
 * then {@link #respond} with each client response, until a {@link Success} or a {@link Failure}; {@link #abandon}
 * when the connection ends or the protocol's framer refuses a line in between. Responses are taken as they arrive on
 * the wire (base64, RFC 4954 §4, RFC 3501 §6.2.2, RFC 5034 §4), and the rules every protocol shares are applied here:
 * {@code =} is an empty response, {@code *} cancels, a response that is not base64 is {@link Reason#MALFORMED}, one
 * over {@link SaslEngine#MAX_RESPONSE} characters is {@link Reason#TOO_LONG}. One thread at a time.
 *
 * <p>A failed bearer token is answered as RFC 7628 §3.2.2 says: its JSON error as a challenge, then, whatever the
 * client answers (even {@code *}), a {@link Reason#REJECTED} failure. A verified SCRAM proof sends the
 * server-final-message as one more challenge and succeeds on the client's empty response (RFC 4422 §5).
 */
public final class SaslExchange {

    private static final Logger LOG = LoggerFactory.getLogger(SaslExchange.class);
    private static final String BEARER_ERROR = "{\"status\":\"invalid_token\",\"schemes\":\"bearer\"}";

    /** Where the exchange is: what the next client response is read as. */
    private enum Stage {
        NEW, PLAIN, LOGIN_USERNAME, LOGIN_PASSWORD, SCRAM_FIRST, SCRAM_FINAL, SCRAM_CONFIRM, BEARER,
        BEARER_ERROR_SENT, CHECKING, DONE
    }

    private final @Nullable String mechanism;
    private final String protocol;
    private final String remoteIp;
    private final SaslEngine engine;
    private Stage stage = Stage.NEW;
    private String loginUsername = "";
    private ScramMechanism.@Nullable Exchange scram;
    private @Nullable Account confirming;
    private @Nullable String serverFinal;
    private @Nullable String password;

    SaslExchange(@Nullable String mechanism, String protocol, String remoteIp, SaslEngine engine) {
        this.mechanism = mechanism;
        this.protocol = protocol;
        this.remoteIp = remoteIp;
        this.engine = engine;
    }

    /** The mechanism's name as offered, e.g. {@code SCRAM-SHA-256}; null when it is not offered. */
    public @Nullable String mechanism() {
        return mechanism;
    }

    /** True once a {@link Success} or {@link Failure} was given (or the exchange was abandoned). */
    public boolean finished() {
        return stage == Stage.DONE;
    }

    /**
     * The first step: {@code initialResponse} as the client sent it with its command (SASL-IR, RFC 4954's initial
     * response, RFC 5034's), or null when it sent none — then the step is the mechanism's first challenge (empty for
     * every mechanism but LOGIN). Call once.
     */
    public Mono<SaslStep> start(@Nullable String initialResponse) {
        if (stage != Stage.NEW) {
            return Mono.error(new IllegalStateException("this SASL exchange has already started"));
        }
        String name = mechanism;
        if (name == null) {
            return done(Failure.of(Reason.UNSUPPORTED_MECHANISM));
        }
        stage = switch (name) {
            case SaslEngine.PLAIN -> Stage.PLAIN;
            case SaslEngine.LOGIN -> Stage.LOGIN_USERNAME;
            case SaslEngine.SCRAM_SHA_256 -> Stage.SCRAM_FIRST;
            default -> Stage.BEARER;
        };
        if (stage == Stage.SCRAM_FIRST) {
            scram = engine.scram().start(protocol, remoteIp);
        }
        if (initialResponse == null) {
            return Mono.just(new Challenge(stage == Stage.LOGIN_USERNAME ? "Username:" : ""));
        }
        return respond(initialResponse);
    }

    /** The next step, for the client's response to the last {@link Challenge}, as sent (base64, {@code =}, {@code *}). */
    public Mono<SaslStep> respond(String response) {
        Stage at = stage;
        if (at == Stage.NEW || at == Stage.CHECKING || at == Stage.DONE) {
            return Mono.error(new IllegalStateException("no challenge of this SASL exchange is waiting for an answer"));
        }
        if (at == Stage.BEARER_ERROR_SENT) {
            // RFC 7628 §3.2.2: the client's answer to the error only acknowledges it; the token was already refused.
            return done(new Failure(Reason.REJECTED, false, BEARER_ERROR));
        }
        if (response.equals("*")) {
            abandon();
            return Mono.just(Failure.of(Reason.CANCELLED));
        }
        if (response.length() > SaslEngine.MAX_RESPONSE) {
            abandon();
            return Mono.just(Failure.of(Reason.TOO_LONG));
        }
        byte @Nullable [] data = decode(response);
        if (data == null) {
            abandon();
            return Mono.just(Failure.of(Reason.MALFORMED));
        }
        stage = Stage.CHECKING;
        return switch (at) {
            case PLAIN -> plain(data);
            case LOGIN_USERNAME -> loginUsername(data);
            case LOGIN_PASSWORD -> loginPassword(data);
            case SCRAM_FIRST -> Objects.requireNonNull(scram).clientFirst(data).flatMap(this::scramStep);
            case SCRAM_FINAL -> Objects.requireNonNull(scram).clientFinal(data).flatMap(this::scramStep);
            case SCRAM_CONFIRM -> scramConfirm(data);
            default -> bearer(data);
        };
    }

    /**
     * The connection ended, or the protocol refused a line, in the middle of the exchange: nothing more is read. A
     * SCRAM exchange that named a user is settled as a failed login (throttle, audit), as RFC 5802 allows a guesser
     * nothing by breaking off.
     */
    public void abandon() {
        stage = Stage.DONE;
        ScramMechanism.Exchange open = scram;
        scram = null;
        if (open != null) {
            open.abandon().subscribe(outcome -> { }, error -> LOG.warn("SCRAM abandon failed", error));
        }
    }

    private Mono<SaslStep> plain(byte[] data) {
        Optional<SaslPlain.Message> message = SaslPlain.parse(data);
        if (message.isEmpty()) {
            return done(Failure.of(Reason.MALFORMED));
        }
        SaslPlain.Message plain = message.get();
        // RFC 4616 §2: an authorization identity other than the user's own would act as someone else.
        if (!plain.authzid().isEmpty() && !plain.authzid().equalsIgnoreCase(plain.authcid())) {
            return done(Failure.of(Reason.AUTHZID_REFUSED));
        }
        password = plain.password();
        return engine.password(plain.authcid(), plain.password(), protocol, remoteIp).flatMap(this::outcome);
    }

    private Mono<SaslStep> loginUsername(byte[] data) {
        String username = utf8(data);
        if (username.isEmpty()) {
            return done(Failure.of(Reason.MALFORMED));
        }
        loginUsername = username;
        stage = Stage.LOGIN_PASSWORD;
        return Mono.just(new Challenge("Password:"));
    }

    private Mono<SaslStep> loginPassword(byte[] data) {
        password = utf8(data);
        return engine.password(loginUsername, password, protocol, remoteIp).flatMap(this::outcome);
    }

    /**
     * The password the client gave (PLAIN, LOGIN), for a login Hato hands on to an old system (issue 17); null for
     * the other mechanisms.
     */
    @Nullable String password() {
        return password;
    }

    private Mono<SaslStep> scramStep(ScramMechanism.Step step) {
        if (step instanceof ScramMechanism.Challenge challenge) {
            stage = Stage.SCRAM_FINAL;
            return Mono.just(new Challenge(challenge.message()));
        }
        scram = null;
        ScramMechanism.Done done = (ScramMechanism.Done) step;
        if (done.outcome() instanceof AuthOutcome.Success success && done.message() != null) {
            // RFC 4422 §5: the protocols have no success with data; the client checks v= and answers empty.
            confirming = success.account();
            serverFinal = done.message();
            stage = Stage.SCRAM_CONFIRM;
            return Mono.just(new Challenge(done.message()));
        }
        return outcome(done.outcome(), done.message());
    }

    private Mono<SaslStep> scramConfirm(byte[] data) {
        Account account = Objects.requireNonNull(confirming);
        confirming = null;
        if (data.length != 0) {
            return done(Failure.of(Reason.NOT_CONFIRMED));
        }
        return done(new Success(account, serverFinal));
    }

    private Mono<SaslStep> bearer(byte[] data) {
        String message = utf8(data);
        Optional<BearerSasl.Response> decoded = SaslEngine.XOAUTH2.equals(mechanism) ? BearerSasl.xoauth2Message(message)
                : BearerSasl.oauthBearerMessage(message);
        if (decoded.isEmpty()) {
            return done(Failure.of(Reason.MALFORMED));
        }
        return engine.token(decoded.get().user(), decoded.get().token(), protocol, remoteIp).flatMap(outcome -> {
            if (outcome instanceof AuthOutcome.Rejected) {
                stage = Stage.BEARER_ERROR_SENT;
                return Mono.just(new Challenge(BEARER_ERROR));
            }
            return outcome(outcome);
        });
    }

    private Mono<SaslStep> outcome(AuthOutcome outcome) {
        return outcome(outcome, null);
    }

    private Mono<SaslStep> outcome(AuthOutcome outcome, @Nullable String data) {
        if (outcome instanceof AuthOutcome.Success success) {
            return done(new Success(success.account(), null));
        }
        if (outcome instanceof AuthOutcome.Rejected rejected) {
            return done(new Failure(Reason.REJECTED, rejected.addressGiven(), data));
        }
        return done(new Failure(Reason.UNAVAILABLE, false, data));
    }

    private Mono<SaslStep> done(SaslStep step) {
        stage = Stage.DONE;
        return Mono.just(step);
    }

    /** RFC 4954 §4, RFC 4959 §3, RFC 5034 §4: "=" is an empty response; surrounding spaces are forgiven. */
    private static byte @Nullable [] decode(String response) {
        String trimmed = response.trim();
        if (trimmed.equals("=")) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(trimmed);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    /** As PLAIN and the other mechanisms' messages are read: UTF-8, a malformed octet read as U+FFFD. */
    private static String utf8(byte[] data) {
        return new String(data, StandardCharsets.UTF_8);
    }
}
