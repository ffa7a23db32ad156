package dev.hato.pop3.session;

import org.jspecify.annotations.Nullable;

/**
 * The state of one POP3 connection (RFC 1939 §3): AUTHORIZATION until a login opens the maildrop, TRANSACTION while
 * it is open, UPDATE once QUIT asked for the marked messages to be removed. {@link Ended} is how every other end
 * looks (autologout, shutdown, too many errors, QUIT before login, a lost maildrop lock, the connection gone): RFC 1939
 * §3 and §6, no UPDATE, nothing deleted. No transition leaves {@link Update} or {@link Ended}.
 */
sealed interface Pop3State {

    /** The maildrop this session opened and still holds the lease of, or null. */
    @Nullable Maildrop maildrop();

    /** RFC 1939 §4; {@code user} is the name a USER command gave, which the next command must be PASS for. */
    record Authorization(@Nullable String user) implements Pop3State {
        @Override
        public @Nullable Maildrop maildrop() {
            return null;
        }
    }

    /** RFC 1939 §5: the maildrop is open and leased to this session. */
    record Transaction(Maildrop maildrop) implements Pop3State {
    }

    /** RFC 1939 §6: QUIT in TRANSACTION; the marked messages are being removed. */
    record Update(Maildrop maildrop) implements Pop3State {
    }

    /** The session is over without UPDATE; {@code maildrop} is the one whose lease is still to be given back. */
    record Ended(@Nullable Maildrop maildrop) implements Pop3State {
    }
}
