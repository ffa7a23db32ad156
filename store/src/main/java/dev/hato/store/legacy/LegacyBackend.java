package dev.hato.store.legacy;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An old mail system: its IMAP server (always), its POP3, SMTP and ManageSieve servers (when it has them), the
 * certificates to trust for them (PEM text; null: the JVM's), and a master user that may log in as anyone there,
 * whose password is kept sealed ({@code sealedMasterPassword}: the store never sees it in the clear).
 */
public record LegacyBackend(String name, Server imap, @Nullable Server pop3, @Nullable Server smtp,
                            @Nullable Server manageSieve, @Nullable String trustPem, @Nullable String masterUser,
                            byte @Nullable [] sealedMasterPassword) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    public LegacyBackend {
        if (!validName(name)) {
            throw new IllegalArgumentException("a legacy system's name is 1 to 63 of a-z, 0-9, '.', '_' and '-', "
                    + "starting with a letter or digit, not \"" + name + "\"");
        }
        Objects.requireNonNull(imap, "imap");
        if ((masterUser == null) != (sealedMasterPassword == null)) {
            throw new IllegalArgumentException("a master user needs its password, and a password its user");
        }
        sealedMasterPassword = sealedMasterPassword == null ? null : sealedMasterPassword.clone();
    }

    /** Whether {@code name} may name a legacy system. */
    public static boolean validName(String name) {
        return NAME.matcher(name).matches();
    }

    /** How a client reaches a server: TLS from the first octet, STARTTLS, or none (loopback and tests only). */
    public enum Tls {
        IMPLICIT, STARTTLS, NONE;

        /** The mode as written on the command line and in the store. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Tls of(String label) {
            for (Tls tls : values()) {
                if (tls.label().equals(label)) {
                    return tls;
                }
            }
            throw new IllegalArgumentException("TLS is implicit, starttls or none, not \"" + label + "\"");
        }
    }

    /** A server of the old system. */
    public record Server(String host, int port, Tls tls) {
        public Server {
            if (host.isBlank() || host.length() > 253) {
                throw new IllegalArgumentException("a host name is 1 to 253 characters");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("a port is 1 to 65535, not " + port);
            }
            Objects.requireNonNull(tls, "tls");
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port
                    + (tls == Tls.NONE ? "" : " (" + tls.label() + ")");
        }
    }

    @Override
    public byte @Nullable [] sealedMasterPassword() {
        return sealedMasterPassword == null ? null : sealedMasterPassword.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LegacyBackend that && name.equals(that.name) && imap.equals(that.imap)
                && Objects.equals(pop3, that.pop3) && Objects.equals(smtp, that.smtp)
                && Objects.equals(manageSieve, that.manageSieve) && Objects.equals(trustPem, that.trustPem)
                && Objects.equals(masterUser, that.masterUser)
                && java.util.Arrays.equals(sealedMasterPassword, that.sealedMasterPassword);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, imap, pop3, smtp, manageSieve, trustPem, masterUser)
                + 31 * java.util.Arrays.hashCode(sealedMasterPassword);
    }

    @Override
    public String toString() {
        return "LegacyBackend[" + name + ", imap " + imap + (masterUser == null ? "" : ", master user " + masterUser)
                + "]";
    }
}
