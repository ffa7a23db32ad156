package dev.hato.store.directory;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One account of a bulk import ({@link Directory#importAccounts}): created when no account has {@code address},
 * updated otherwise. Address and auth ID are already validated and lower-cased by the caller. An existing
 * account's auth ID is never changed: a row whose auth ID differs from the stored one fails its batch.
 *
 * @param displayName the new display name, or null to keep the stored one (an empty name for a new account)
 * @param password what to do with the local password; {@code passwordHash} is set exactly when it is {@code SET}
 */
public record ImportRow(String address, String authId, @Nullable String displayName, Password password,
                        @Nullable String passwordHash) {

    /** What an import does to an account's local password. */
    public enum Password {
        /** Leave the stored hash as it is; a new account gets none. */
        KEEP,
        /** Store {@code passwordHash}. */
        SET,
        /** No local password: the account authenticates against an external source (LDAP, an HTTP portal). */
        CLEAR
    }

    public ImportRow {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(authId, "authId");
        Objects.requireNonNull(password, "password");
        if ((password == Password.SET) != (passwordHash != null && !passwordHash.isEmpty())) {
            throw new IllegalArgumentException("a password hash is given exactly when the password is SET");
        }
    }

    public static ImportRow keepingPassword(String address, String authId, @Nullable String displayName) {
        return new ImportRow(address, authId, displayName, Password.KEEP, null);
    }

    public static ImportRow withPasswordHash(String address, String authId, @Nullable String displayName,
                                             String passwordHash) {
        return new ImportRow(address, authId, displayName, Password.SET, passwordHash);
    }

    public static ImportRow withoutPassword(String address, String authId, @Nullable String displayName) {
        return new ImportRow(address, authId, displayName, Password.CLEAR, null);
    }

    /** Never shows the hash. */
    @Override
    public String toString() {
        return "ImportRow[" + address + ", " + authId + ", " + displayName + ", " + password + "]";
    }
}
