package dev.hato.provisioning;

import org.jspecify.annotations.Nullable;

/**
 * An account an import created or updated: the auth ID its owner logs in with and, only when the import generated
 * one for a new account, its initial password.
 */
public record Issued(int line, String address, String authId, @Nullable String initialPassword) {

    /** Never shows the password. */
    @Override
    public String toString() {
        return "Issued[line " + line + ", " + address + ", " + authId
                + (initialPassword == null ? "" : ", initial password ***") + "]";
    }
}
