package dev.hato.auth.http;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP identity service that checks passwords ({@link HttpCredentialSource}).
 *
 * @param name          short name for logs, metrics and the health endpoint; the source is called
 *                      {@code http:<name>}
 * @param url           the endpoint that receives the POST; {@code https://} unless it is on the same host
 * @param timeout       longest wait for connecting and for the complete answer
 * @param bearerToken   sent as {@code Authorization: Bearer <token>} so the portal knows the caller is Hato; null
 *                      for none
 * @param authIdField   JSON field of the request holding the auth ID
 * @param passwordField JSON field of the request holding the password
 * @param okField       boolean JSON field of the answer: true for the right password
 */
public record HttpSourceSettings(String name, URI url, Duration timeout, @Nullable String bearerToken,
                                 String authIdField, String passwordField, String okField) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,40}");

    public HttpSourceSettings {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("HTTP source name must be 1-40 letters, digits, '.', '_' or '-'");
        }
        String scheme = url.getScheme();
        if (!("http".equals(scheme) || "https".equals(scheme)) || url.getHost() == null) {
            throw new IllegalArgumentException("HTTP source " + name + ": URL must be http:// or https://, not "
                    + url);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("HTTP source " + name + ": timeout must be positive");
        }
        if (bearerToken != null && (bearerToken.isBlank() || bearerToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("HTTP source " + name + ": bearer token must be printable ASCII");
        }
        if (authIdField.isEmpty() || passwordField.isEmpty() || okField.isEmpty()
                || authIdField.equals(passwordField)) {
            throw new IllegalArgumentException("HTTP source " + name + ": JSON field names must be distinct and"
                    + " not empty");
        }
    }

    /** 5 s timeout, no token, fields {@code authId}, {@code password} and {@code ok}. */
    public static HttpSourceSettings defaults(String name, URI url) {
        return new HttpSourceSettings(name, url, Duration.ofSeconds(5), null, "authId", "password", "ok");
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "HttpSourceSettings[name=" + name + ", url=" + url + ", timeout=" + timeout + ", bearerToken="
                + (bearerToken == null ? "none" : "***") + ", authIdField=" + authIdField + ", passwordField="
                + passwordField + ", okField=" + okField + "]";
    }

    public HttpSourceSettings withTimeout(Duration value) {
        return new HttpSourceSettings(name, url, value, bearerToken, authIdField, passwordField, okField);
    }

    public HttpSourceSettings withBearerToken(@Nullable String value) {
        return new HttpSourceSettings(name, url, timeout, value, authIdField, passwordField, okField);
    }

    public HttpSourceSettings withFields(String authId, String password, String ok) {
        return new HttpSourceSettings(name, url, timeout, bearerToken, authId, password, ok);
    }
}
