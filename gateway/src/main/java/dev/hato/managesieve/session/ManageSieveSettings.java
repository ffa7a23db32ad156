package dev.hato.managesieve.session;

import dev.hato.auth.sasl.SaslEngine;
import java.time.Duration;

/**
 * One ManageSieve listener's behaviour and limits. After login the literal limits are the store's script limit
 * ({@link dev.hato.store.sieve.SieveScripts#MAX_SCRIPT_OCTETS}), not a setting.
 *
 * @param startTlsOffered STARTTLS on the listener (the 4190 role); AUTHENTICATE is refused until TLS is on
 * @param maxLineLength the longest command line, literal contents excluded; room for a quoted SASL response
 * @param maxLiteralSizeBeforeLogin the largest literal, and all literals of one command together, before login (a
 *     SASL response: at most {@link SaslEngine#MAX_RESPONSE} characters)
 * @param maxCommandsBeforeLogin commands after which a client that has not logged in is sent away
 * @param maxBadCommands commands answered NO for their syntax or state after which the server says BYE
 * @param maxAuthFailures failed logins on one connection after which the server says BYE
 * @param idleTimeout how long a client may stay silent
 */
public record ManageSieveSettings(boolean startTlsOffered, int maxLineLength, int maxLiteralSizeBeforeLogin,
                                  int maxCommandsBeforeLogin, int maxBadCommands, int maxAuthFailures,
                                  Duration idleTimeout) {

    public ManageSieveSettings {
        // A quoted SASL response (a bearer token) must fit in a line, as it does in a literal.
        if (maxLineLength < 1024 || maxLiteralSizeBeforeLogin < SaslEngine.MAX_RESPONSE) {
            throw new IllegalArgumentException("ManageSieve line and literal limits too small for a SASL response");
        }
        if (maxCommandsBeforeLogin < 1 || maxBadCommands < 1 || maxAuthFailures < 1) {
            throw new IllegalArgumentException("ManageSieve command limits must be at least 1");
        }
        if (idleTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("the ManageSieve idle timeout must be at least 1s");
        }
    }

    /** 32 KiB lines and literals before login, 30 commands before login, BYE after 10 bad commands or 3 failed logins. */
    public static ManageSieveSettings defaults() {
        return new ManageSieveSettings(false, 32 * 1024, 32 * 1024, 30, 10, 3, Duration.ofMinutes(10));
    }

    public ManageSieveSettings withStartTlsOffered(boolean offered) {
        return new ManageSieveSettings(offered, maxLineLength, maxLiteralSizeBeforeLogin, maxCommandsBeforeLogin,
                maxBadCommands, maxAuthFailures, idleTimeout);
    }

    public ManageSieveSettings withIdleTimeout(Duration timeout) {
        return new ManageSieveSettings(startTlsOffered, maxLineLength, maxLiteralSizeBeforeLogin,
                maxCommandsBeforeLogin, maxBadCommands, maxAuthFailures, timeout);
    }

    public ManageSieveSettings withLimits(int lineLength, int commandsBeforeLogin, int badCommands, int authFailures) {
        return new ManageSieveSettings(startTlsOffered, lineLength, maxLiteralSizeBeforeLogin, commandsBeforeLogin,
                badCommands, authFailures, idleTimeout);
    }
}
