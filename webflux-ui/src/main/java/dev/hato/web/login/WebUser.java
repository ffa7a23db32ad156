package dev.hato.web.login;

import java.io.Serializable;

/** The person logged in to webmail: the principal kept in the web session. */
public record WebUser(long accountId, String authId, String address, String displayName) implements Serializable {

    @Override
    public String toString() {
        return authId;
    }
}
