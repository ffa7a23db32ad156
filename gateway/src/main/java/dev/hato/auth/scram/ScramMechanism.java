package dev.hato.auth.scram;

import dev.hato.auth.AuthOutcome;
import dev.hato.auth.ScramKeys;
import dev.hato.auth.guard.GuardedAuthenticator;
import java.util.Objects;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * SASL SCRAM-SHA-256 for the SASL engine ({@link dev.hato.auth.sasl.SaslEngine}), which runs it for SMTP, IMAP and
 * POP3: each {@link Exchange} runs a {@link ScramServer} with the keys of
 * {@link ScramKeySource}, and goes through the same login throttle and audit log as a password login
 * ({@link GuardedAuthenticator#begin}): a locked-out auth ID or client is refused at the first message, before any
 * lookup, and every exchange that named a user is recorded once with its outcome.
 *
 * <p>How the engine maps the steps: a {@link Challenge} becomes a SASL challenge; a {@link Done} ends the exchange
 * with its {@link AuthOutcome} ({@code Success} logs in, {@code Rejected} is a failed login — pointing to the auth ID
 * when {@code addressGiven} —, {@code Unavailable} a temporary failure). A successful {@code Done} carries the
 * server-final-message {@code v=...} that the client needs to check the server: none of Hato's protocols has a
 * success with data, so it goes out as one more challenge and the login completes after the client's empty response
 * (RFC 4422 §5).
 */
public final class ScramMechanism {

    /** The SASL mechanism name (RFC 7677 §2); the {@code -PLUS} variant is not offered. */
    public static final String NAME = "SCRAM-SHA-256";

    private final GuardedAuthenticator guard;
    private final ScramKeySource keys;
    private final Supplier<ScramServer> servers;

    public ScramMechanism(GuardedAuthenticator guard, ScramKeySource keys) {
        this(guard, keys, ScramServer::new);
    }

    /** With a chosen server for each exchange: tests give it a fixed nonce (RFC 7677 §3). */
    public ScramMechanism(GuardedAuthenticator guard, ScramKeySource keys, Supplier<ScramServer> servers) {
        this.guard = Objects.requireNonNull(guard, "guard");
        this.keys = Objects.requireNonNull(keys, "keys");
        this.servers = Objects.requireNonNull(servers, "servers");
    }

    /** A new exchange for a client at {@code remoteIp} over {@code protocol} ({@code smtp}, {@code imap}, ...). */
    public Exchange start(String protocol, String remoteIp) {
        return new Exchange(servers.get(), protocol, remoteIp);
    }

    /** What the session does next. */
    public sealed interface Step permits Challenge, Done { }

    /** Send {@code message} to the client as a challenge and pass its answer to {@link Exchange#clientFinal}. */
    public record Challenge(String message) implements Step { }

    /**
     * The exchange is over with {@code outcome}. {@code message} is the server-final-message: {@code v=...} after a
     * success (the client checks the server with it), {@code e=...} after a failure (a session may send it or just
     * fail), null when there is nothing to say (a lockout, an outage).
     */
    public record Done(AuthOutcome outcome, @Nullable String message) implements Step { }

    /**
     * One SCRAM exchange: {@link #clientFirst}, then {@link #clientFinal} after a {@link Challenge}; {@link #abandon}
     * when the client cancels or the connection ends in between. Calls out of order error with
     * {@link IllegalStateException}. One thread at a time.
     */
    public final class Exchange {
        private final ScramServer server;
        private final String protocol;
        private final String remoteIp;
        private GuardedAuthenticator.@Nullable Admitted admitted;
        private ScramKeySource.@Nullable Lookup lookup;
        private boolean settled;

        private Exchange(ScramServer server, String protocol, String remoteIp) {
            this.server = server;
            this.protocol = protocol;
            this.remoteIp = remoteIp;
        }

        /** The decoded client-first-message. */
        public Mono<Step> clientFirst(byte[] message) {
            return Mono.defer(() -> {
                ScramServer.First first = server.clientFirst(message);
                if (first instanceof ScramServer.Refused refused) {
                    // Malformed before a login was attempted: nothing to throttle or record.
                    settled = true;
                    return Mono.just(new Done(new AuthOutcome.Rejected(false), refused.error().message()));
                }
                String username = ((ScramServer.Identified) first).username();
                GuardedAuthenticator.Login login = guard.begin(username, protocol, remoteIp);
                if (login instanceof GuardedAuthenticator.Locked locked) {
                    settled = true;
                    return locked.answer().map(outcome -> (Step) new Done(outcome, null));
                }
                admitted = (GuardedAuthenticator.Admitted) login;
                return keys.find(username).flatMap(found -> {
                    if (found instanceof ScramKeySource.Unreachable unreachable) {
                        return settle(new AuthOutcome.Unavailable(unreachable.reason()), null);
                    }
                    lookup = found;
                    ScramKeys.Keys userKeys = found instanceof ScramKeySource.Known known ? known.keys()
                            : ((ScramKeySource.Decoy) found).keys();
                    return Mono.just(new Challenge(server.serverFirst(userKeys)));
                });
            });
        }

        /** The decoded client-final-message: the proof is checked and the login settled. */
        public Mono<Step> clientFinal(byte[] message) {
            return Mono.defer(() -> {
                ScramServer.Final checked = server.clientFinal(message);
                if (checked instanceof ScramServer.Verified verified
                        && lookup instanceof ScramKeySource.Known known) {
                    return settle(new AuthOutcome.Success(known.account()), verified.serverFinal());
                }
                // A decoy never logs in, even in the impossible case that a proof matched it.
                ScramError error = checked instanceof ScramServer.Refused refused ? refused.error()
                        : ScramError.INVALID_PROOF;
                return settle(new AuthOutcome.Rejected(addressGiven()), error.message());
            });
        }

        /**
         * The client cancelled ({@code *}) or went away after naming a user: the attempt is recorded and counted
         * as a failed login (so breaking off after the first message gains a guesser nothing). The outcome is
         * {@code Rejected}, after the throttle's delay.
         */
        public Mono<AuthOutcome> abandon() {
            return Mono.defer(() -> {
                if (settled || admitted == null) {
                    settled = true;
                    return Mono.just(new AuthOutcome.Rejected(addressGiven()));
                }
                settled = true;
                return admitted.settle(new AuthOutcome.Rejected(addressGiven()));
            });
        }

        private boolean addressGiven() {
            return lookup instanceof ScramKeySource.Decoy decoy && decoy.addressGiven();
        }

        private Mono<Step> settle(AuthOutcome outcome, @Nullable String serverMessage) {
            GuardedAuthenticator.Admitted attempt = Objects.requireNonNull(admitted);
            settled = true;
            return attempt.settle(outcome).map(answer -> new Done(answer, serverMessage));
        }
    }
}
