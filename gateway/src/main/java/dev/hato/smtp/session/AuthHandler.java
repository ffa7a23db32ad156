package dev.hato.smtp.session;

import static dev.hato.smtp.session.SmtpContext.reply;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.auth.SaslPlain;
import dev.hato.auth.scram.ScramMechanism;
import dev.hato.auth.token.BearerSasl;
import dev.hato.protocol.Action;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.smtp.command.SmtpCommand;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * AUTH (RFC 4954): PLAIN, LOGIN, SCRAM-SHA-256, OAUTHBEARER and XOAUTH2 on the submission role, over TLS. One per
 * connection, since an exchange spans several lines: while {@link #inExchange()}, the session hands it every line.
 */
final class AuthHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AuthHandler.class);
    /** The pseudo-mechanism of an OAUTHBEARER/XOAUTH2 exchange waiting for the client's reply to the error. */
    private static final String BEARER_FAILED = "BEARER-FAILED";
    /** The steps of a SCRAM-SHA-256 exchange (RFC 5802 §5): waiting for client-first, client-final, the empty reply. */
    private static final String SCRAM_FIRST = "SCRAM-FIRST";
    private static final String SCRAM_FINAL = "SCRAM-FINAL";
    private static final String SCRAM_CONFIRM = "SCRAM-CONFIRM";

    private final SmtpContext session;
    private final SmtpSettings settings;
    private final ConnectionInfo connection;
    private final SmtpServices services;
    private @Nullable SaslExchange sasl;
    /** A SCRAM-SHA-256 exchange in progress, between its steps. */
    private ScramMechanism.@Nullable Exchange scram;
    private int authFailures;

    AuthHandler(SmtpContext session) {
        this.session = session;
        this.settings = session.settings;
        this.connection = session.connection;
        this.services = session.services;
    }

    /** Whether the next line is the client's response in an AUTH exchange. */
    boolean inExchange() {
        return sasl != null;
    }

    /** A response line over the line limit ends the exchange without a login. */
    Flux<Action> responseTooLong() {
        if (sasl != null && sasl.mechanism().equals(SCRAM_CONFIRM)) {
            session.user = null; // the exchange did not complete: no login
        }
        sasl = null;
        abandonScram();
        return session.error("500 5.5.6 Authentication Exchange line is too long");
    }

    /** A client that goes away in the middle of a SCRAM exchange has failed a login (throttle, audit). */
    void abandonScram() {
        ScramMechanism.Exchange exchange = scram;
        scram = null;
        if (exchange != null) {
            exchange.abandon().subscribe(outcome -> { }, failure -> LOG.warn("SCRAM abandon failed", failure));
        }
    }

    Flux<Action> auth(SmtpCommand.Auth auth) {
        if (settings.role() != SmtpSettings.Role.SUBMISSION) {
            return session.error("503 5.5.1 AUTH is not available on this port; use the submission port");
        }
        if (!session.tls) {
            return session.error("538 5.7.11 Encryption required for requested authentication mechanism");
        }
        if (!session.extended()) {
            return session.error("503 5.5.1 Send EHLO first");
        }
        if (session.user != null) {
            return session.error("503 5.5.1 Already authenticated");
        }
        if (session.transaction() != null) {
            return session.error("503 5.5.1 AUTH not permitted during a mail transaction");
        }
        String initial = auth.initialResponse();
        switch (auth.mechanism()) {
            case "PLAIN" -> {
                if (initial == null) {
                    sasl = new SaslExchange("PLAIN", null);
                    return reply("334 ");
                }
                return plain(initial);
            }
            case "LOGIN" -> {
                if (initial == null) {
                    sasl = new SaslExchange("LOGIN", null);
                    return reply("334 " + b64("Username:"));
                }
                return loginUsername(initial);
            }
            case ScramMechanism.NAME -> {
                ScramMechanism mechanism = services.scram();
                if (mechanism == null) {
                    return session.error("504 5.5.4 Unrecognized authentication type");
                }
                scram = mechanism.start("smtp", connection.remoteIp());
                if (initial == null) {
                    sasl = new SaslExchange(SCRAM_FIRST, null);
                    return reply("334 ");
                }
                return scramFirst(initial);
            }
            case "OAUTHBEARER", "XOAUTH2" -> {
                if (services.tokens() == null) {
                    return session.error("504 5.5.4 Unrecognized authentication type");
                }
                if (initial == null) {
                    sasl = new SaslExchange(auth.mechanism(), null);
                    return reply("334 ");
                }
                return bearer(auth.mechanism(), initial);
            }
            default -> {
                return session.error("504 5.5.4 Unrecognized authentication type");
            }
        }
    }

    String mechanisms() {
        return (services.scram() == null ? "" : ScramMechanism.NAME + " ") + "PLAIN LOGIN"
                + (services.tokens() == null ? "" : " OAUTHBEARER XOAUTH2");
    }

    /** RFC 5802 §5 client-first-message, base64 as RFC 4954 §4 carries it. */
    private Flux<Action> scramFirst(String response) {
        byte[] message = decodeBytes(response.equals("=") ? "" : response);
        ScramMechanism.Exchange exchange = scram;
        if (message == null || exchange == null) {
            scram = null;
            return session.error("501 5.5.2 Cannot decode SCRAM-SHA-256 response");
        }
        return exchange.clientFirst(message).flatMapMany(step -> scramStep(step, SCRAM_FINAL));
    }

    private Flux<Action> scramFinal(String response) {
        byte[] message = decodeBytes(response);
        ScramMechanism.Exchange exchange = scram;
        if (message == null || exchange == null) {
            abandonScram();
            return session.error("501 5.5.2 Cannot decode SCRAM-SHA-256 response");
        }
        return exchange.clientFinal(message).flatMapMany(step -> scramStep(step, SCRAM_CONFIRM));
    }

    private Flux<Action> scramStep(ScramMechanism.Step step, String next) {
        if (step instanceof ScramMechanism.Challenge challenge) {
            sasl = new SaslExchange(next, null);
            return reply("334 " + b64(challenge.message()));
        }
        scram = null;
        ScramMechanism.Done done = (ScramMechanism.Done) step;
        AuthOutcome outcome = done.outcome();
        if (outcome instanceof AuthOutcome.Success success && done.message() != null) {
            // RFC 4954 §4: no success with data, so the server-final-message is one more challenge; the client
            // checks it and answers with an empty line.
            session.user = success.account();
            sasl = new SaslExchange(SCRAM_CONFIRM, null);
            return reply("334 " + b64(done.message()));
        }
        return loginOutcome(outcome);
    }

    private Flux<Action> bearer(String mechanism, String response) {
        var decoded = mechanism.equals("XOAUTH2") ? BearerSasl.xoauth2(response) : BearerSasl.oauthBearer(response);
        Authenticator tokens = services.tokens();
        if (decoded.isEmpty() || tokens == null) {
            return session.error("501 5.5.2 Cannot decode " + mechanism + " response");
        }
        Credentials credentials = new Credentials(decoded.get().user(), decoded.get().token(), "smtp",
                connection.remoteIp());
        return tokens.authenticate(credentials).flatMapMany(outcome -> {
            if (outcome instanceof AuthOutcome.Success success) {
                session.user = success.account();
                return reply("235 2.7.0 Authentication successful");
            }
            if (outcome instanceof AuthOutcome.Unavailable) {
                return reply("454 4.7.0 Temporary authentication failure, try again later");
            }
            // RFC 7628 §3.2.2: report the error as a challenge; the client answers with a dummy response.
            sasl = new SaslExchange(BEARER_FAILED, null);
            return reply("334 " + BearerSasl.ERROR_CHALLENGE);
        });
    }

    Flux<Action> saslResponse(String line) {
        SaslExchange exchange = sasl;
        sasl = null;
        if (exchange == null) {
            return Flux.empty();
        }
        if (exchange.mechanism().equals(BEARER_FAILED)) {
            return authFailed("535 5.7.8 Authentication credentials invalid");
        }
        if (line.equals("*")) {
            if (exchange.mechanism().equals(SCRAM_CONFIRM)) {
                // The client does not trust our server signature: it will not be logged in.
                session.user = null;
            }
            abandonScram();
            return session.error("501 5.0.0 Authentication cancelled");
        }
        if (exchange.mechanism().equals(SCRAM_FIRST)) {
            return scramFirst(line);
        }
        if (exchange.mechanism().equals(SCRAM_FINAL)) {
            return scramFinal(line);
        }
        if (exchange.mechanism().equals(SCRAM_CONFIRM)) {
            return line.isEmpty() || line.equals("=") ? reply("235 2.7.0 Authentication successful")
                    : confirmRefused();
        }
        if (exchange.mechanism().equals("PLAIN")) {
            return plain(line);
        }
        if (exchange.mechanism().equals("OAUTHBEARER") || exchange.mechanism().equals("XOAUTH2")) {
            return bearer(exchange.mechanism(), line);
        }
        if (exchange.username() == null) {
            return loginUsername(line);
        }
        String password = decode(line);
        if (password == null) {
            return session.error("501 5.5.2 Cannot decode response");
        }
        return verify(exchange.username(), password);
    }

    private Flux<Action> plain(String response) {
        // RFC 4954 §4: "=" is an empty initial response.
        var message = SaslPlain.decode(response.equals("=") ? "" : response);
        if (message.isEmpty()) {
            return session.error("501 5.5.2 Cannot decode AUTH PLAIN response");
        }
        SaslPlain.Message plain = message.get();
        if (!plain.authzid().isEmpty() && !plain.authzid().equalsIgnoreCase(plain.authcid())) {
            return authFailed("535 5.7.8 Authentication credentials invalid (authorization identity not allowed)");
        }
        return verify(plain.authcid(), plain.password());
    }

    private Flux<Action> loginUsername(String response) {
        String username = decode(response);
        if (username == null || username.isEmpty()) {
            return session.error("501 5.5.2 Cannot decode AUTH LOGIN username");
        }
        sasl = new SaslExchange("LOGIN", username);
        return reply("334 " + b64("Password:"));
    }

    private Flux<Action> verify(String login, String password) {
        Credentials credentials = new Credentials(login, password, "smtp", connection.remoteIp());
        return services.authenticator().authenticate(credentials).flatMapMany(this::loginOutcome);
    }

    /** The reply to a finished login, whatever the mechanism (RFC 4954 §6 codes). */
    private Flux<Action> loginOutcome(AuthOutcome outcome) {
        if (outcome instanceof AuthOutcome.Success success) {
            session.user = success.account();
            return reply("235 2.7.0 Authentication successful");
        }
        if (outcome instanceof AuthOutcome.Rejected rejected && rejected.addressGiven()) {
            return authFailed("535 5.7.8 Authentication credentials invalid: log in with your auth ID, "
                    + "not your e-mail address");
        }
        if (outcome instanceof AuthOutcome.Unavailable) {
            return reply("454 4.7.0 Temporary authentication failure, try again later");
        }
        return authFailed("535 5.7.8 Authentication credentials invalid");
    }

    /** The client answered our server-final-message with something else than an empty response. */
    private Flux<Action> confirmRefused() {
        session.user = null;
        return authFailed("535 5.7.8 Authentication exchange not completed");
    }

    private Flux<Action> authFailed(String text) {
        authFailures++;
        if (authFailures >= settings.maxAuthFailures()) {
            session.stop();
            return Flux.<Action>just(Action.line(text),
                    Action.line("421 4.7.0 " + settings.hostName() + " Too many failed authentications"),
                    Action.close());
        }
        return reply(text);
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte @Nullable [] decodeBytes(String base64) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static @Nullable String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An AUTH exchange waiting for the client's next line. */
    private record SaslExchange(String mechanism, @Nullable String username) { }
}
