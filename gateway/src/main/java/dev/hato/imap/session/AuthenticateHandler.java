package dev.hato.imap.session;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.Authenticator;
import dev.hato.auth.Credentials;
import dev.hato.auth.SaslPlain;
import dev.hato.auth.scram.ScramMechanism;
import dev.hato.auth.token.BearerSasl;
import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.protocol.Ascii;
import dev.hato.protocol.ConnectionInfo;
import dev.hato.store.Account;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * RFC 3501 §6.2.2 AUTHENTICATE with RFC 4959 SASL-IR: PLAIN, SCRAM-SHA-256, OAUTHBEARER and XOAUTH2. While an
 * exchange waits for the client's next line ({@link #inExchange()}), the session hands every line here; the login
 * ends in {@link LoginHandler}.
 */
final class AuthenticateHandler {

    private static final Logger LOG = LoggerFactory.getLogger(AuthenticateHandler.class);

    /** The SASL exchange waiting for the client's next line. */
    private enum Sasl { PLAIN, SCRAM_FIRST, SCRAM_FINAL, SCRAM_CONFIRM, OAUTHBEARER, XOAUTH2, BEARER_FAILED }

    private final ImapSession session;
    private final LoginHandler login;
    private final ImapServices services;
    private final ConnectionInfo connection;

    private @Nullable Sasl sasl;
    private @Nullable String saslTag;
    private ScramMechanism.@Nullable Exchange scram;
    private @Nullable Account scramAccount;

    AuthenticateHandler(ImapSession session, LoginHandler login) {
        this.session = session;
        this.login = login;
        this.services = session.services();
        this.connection = session.connection();
    }

    /** Whether an exchange waits for the client's next line. */
    boolean inExchange() {
        return sasl != null;
    }

    Flux<Action> authenticate(ImapCommand.Authenticate command) {
        return authenticate(command.tag(), command);
    }

    private Flux<Action> authenticate(String tag, ImapCommand.Authenticate authenticate) {
        if (!session.tls()) {
            return no(tag, "[PRIVACYREQUIRED] Authentication is not allowed without TLS; use STARTTLS first");
        }
        String mechanism = Ascii.upperCase(authenticate.mechanism());
        String initial = authenticate.initialResponse();
        saslTag = tag;
        switch (mechanism) {
            case "PLAIN" -> {
                if (initial == null) {
                    sasl = Sasl.PLAIN;
                    return line("+ ");
                }
                return plain(tag, initial);
            }
            case ScramMechanism.NAME -> {
                ScramMechanism mechanismService = services.scram();
                if (mechanismService == null) {
                    return no(tag, "Unsupported authentication mechanism");
                }
                scram = mechanismService.start("imap", connection.remoteIp());
                if (initial == null) {
                    sasl = Sasl.SCRAM_FIRST;
                    return line("+ ");
                }
                return scramFirst(tag, initial);
            }
            case "OAUTHBEARER", "XOAUTH2" -> {
                if (services.tokens() == null) {
                    return no(tag, "Unsupported authentication mechanism");
                }
                Sasl kind = mechanism.equals("XOAUTH2") ? Sasl.XOAUTH2 : Sasl.OAUTHBEARER;
                if (initial == null) {
                    sasl = kind;
                    return line("+ ");
                }
                return bearer(tag, kind, initial);
            }
            default -> {
                return no(tag, "Unsupported authentication mechanism");
            }
        }
    }

    Flux<Action> saslResponse(String response) {
        Sasl kind = sasl;
        String tag = saslTag == null ? "*" : saslTag;
        sasl = null;
        if (kind == Sasl.BEARER_FAILED) {
            return authFailed(tag, "[AUTHENTICATIONFAILED] Authentication failed");
        }
        // RFC 3501 §6.2.2: "*" cancels the exchange, answered with BAD.
        if (response.equals("*")) {
            return saslCancelled("BAD Authentication cancelled");
        }
        return switch (kind == null ? Sasl.PLAIN : kind) {
            case PLAIN -> plain(tag, response);
            case SCRAM_FIRST -> scramFirst(tag, response);
            case SCRAM_FINAL -> scramFinal(tag, response);
            case SCRAM_CONFIRM -> {
                Account confirmed = scramAccount;
                scramAccount = null;
                if (!response.isEmpty() || confirmed == null) {
                    yield authFailed(tag, "[AUTHENTICATIONFAILED] Authentication exchange not completed");
                }
                yield loggedIn(tag, confirmed);
            }
            case OAUTHBEARER, XOAUTH2 -> bearer(tag, kind, response);
            case BEARER_FAILED -> authFailed(tag, "[AUTHENTICATIONFAILED] Authentication failed");
        };
    }

    Flux<Action> saslCancelled(String text) {
        String tag = saslTag == null ? "*" : saslTag;
        sasl = null;
        scramAccount = null;
        abandonScram();
        return bad(tag, text.substring(4));
    }

    private Flux<Action> plain(String tag, String response) {
        // RFC 4959 §3: "=" is an empty initial response.
        var message = SaslPlain.decode(response.equals("=") ? "" : response);
        if (message.isEmpty()) {
            return bad(tag, "Cannot decode PLAIN response");
        }
        SaslPlain.Message plain = message.get();
        if (!plain.authzid().isEmpty() && !plain.authzid().equalsIgnoreCase(plain.authcid())) {
            return authFailed(tag, "[AUTHORIZATIONFAILED] Authorization identity not allowed");
        }
        return verify(tag, plain.authcid(), plain.password());
    }

    private Flux<Action> scramFirst(String tag, String response) {
        byte[] message = base64(response.equals("=") ? "" : response);
        ScramMechanism.Exchange exchange = scram;
        if (message == null || exchange == null) {
            scram = null;
            return bad(tag, "Cannot decode SCRAM-SHA-256 response");
        }
        return exchange.clientFirst(message).flatMapMany(step -> scramStep(tag, step, Sasl.SCRAM_FINAL));
    }

    private Flux<Action> scramFinal(String tag, String response) {
        byte[] message = base64(response);
        ScramMechanism.Exchange exchange = scram;
        if (message == null || exchange == null) {
            abandonScram();
            return bad(tag, "Cannot decode SCRAM-SHA-256 response");
        }
        return exchange.clientFinal(message).flatMapMany(step -> scramStep(tag, step, Sasl.SCRAM_CONFIRM));
    }

    private Flux<Action> scramStep(String tag, ScramMechanism.Step step, Sasl next) {
        if (step instanceof ScramMechanism.Challenge challenge) {
            sasl = next;
            return line("+ " + b64(challenge.message()));
        }
        scram = null;
        ScramMechanism.Done done = (ScramMechanism.Done) step;
        if (done.outcome() instanceof AuthOutcome.Success success && done.message() != null) {
            // RFC 3501 has no success with data: the server-final-message goes out as one more challenge, and the
            // client, having checked the server's signature, answers with an empty line.
            scramAccount = success.account();
            sasl = Sasl.SCRAM_CONFIRM;
            return line("+ " + b64(done.message()));
        }
        return outcome(tag, done.outcome());
    }

    private Flux<Action> bearer(String tag, Sasl kind, String response) {
        var decoded = kind == Sasl.XOAUTH2 ? BearerSasl.xoauth2(response) : BearerSasl.oauthBearer(response);
        Authenticator tokens = services.tokens();
        if (decoded.isEmpty() || tokens == null) {
            return bad(tag, "Cannot decode " + kind + " response");
        }
        Credentials credentials = new Credentials(decoded.get().user(), decoded.get().token(), "imap",
                connection.remoteIp());
        return tokens.authenticate(credentials).flatMapMany(outcome -> {
            if (outcome instanceof AuthOutcome.Success || outcome instanceof AuthOutcome.Unavailable) {
                return outcome(tag, outcome);
            }
            // RFC 7628 §3.2.2: the error goes out as a challenge, the client answers with a dummy response.
            sasl = Sasl.BEARER_FAILED;
            saslTag = tag;
            return line("+ " + BearerSasl.ERROR_CHALLENGE);
        });
    }

    void abandonScram() {
        ScramMechanism.Exchange exchange = scram;
        scram = null;
        if (exchange != null) {
            exchange.abandon().subscribe(outcome -> { }, failure -> LOG.warn("SCRAM abandon failed", failure));
        }
    }

    private Flux<Action> verify(String tag, String user, String password) {
        return login.verify(tag, user, password);
    }

    private Flux<Action> outcome(String tag, AuthOutcome outcome) {
        return login.outcome(tag, outcome);
    }

    private Flux<Action> loggedIn(String tag, Account user) {
        return login.loggedIn(tag, user);
    }

    private Flux<Action> authFailed(String tag, String text) {
        return login.authFailed(tag, text);
    }

    private Flux<Action> bad(String tag, String text) {
        return session.bad(tag, text);
    }

    private Flux<Action> no(String tag, String text) {
        return session.no(tag, text);
    }

    private static Flux<Action> line(String text) {
        return ImapSession.line(text);
    }

    private static String b64(String ascii) {
        return Base64.getEncoder().encodeToString(ascii.getBytes(StandardCharsets.UTF_8));
    }

    private static byte @Nullable [] base64(String text) {
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
