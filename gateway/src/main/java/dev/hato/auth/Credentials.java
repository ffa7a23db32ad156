package dev.hato.auth;

/** What a client presented: the login as typed (an auth ID, or by mistake an address), and where it came from. */
public record Credentials(String login, String password, String protocol, String remoteIp) {

    /** People type their address where the auth ID belongs; an auth ID never contains '@'. */
    public boolean looksLikeAddress() {
        return login.indexOf('@') >= 0;
    }
}
