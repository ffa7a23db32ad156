package dev.hato.web.setup;

import org.jspecify.annotations.Nullable;

/**
 * Thunderbird's autoconfig file (config-v1.1.xml, the "clientConfig" format Thunderbird, K-9/Thunderbird for
 * Android and others read): IMAP, POP3 and SMTP submission, each over implicit TLS, normal passwords.
 *
 * <p>People log in with an auth ID, which is not derived from their address, and this file is served to anyone who
 * asks with any address: it must not reveal whose auth ID is what. So the user name is the fixed
 * {@link #AUTH_ID_PLACEHOLDER} instead of one of the format's address placeholders ({@code %EMAILADDRESS%},
 * {@code %EMAILLOCALPART%} would fill in something that is not a login and fail). Thunderbird shows it in the
 * account dialog, where the person replaces it with their auth ID; the {@code documentation} element points to the
 * set-up page that says so.
 */
public final class Autoconfig {

    /** What the user-name fields say; the person types their auth ID instead (docs/webmail.md). */
    public static final String AUTH_ID_PLACEHOLDER = "YOUR-AUTH-ID";

    private Autoconfig() { }

    /** @param emailAddress the {@code ?emailaddress=} the client sent, if any (only its domain is used) */
    static String render(ClientSettings settings, @Nullable String emailAddress) {
        String domain = Addresses.domain(emailAddress);
        String host = Xml.escape(settings.hostName());
        String provider = Xml.escape(domain != null ? domain : settings.hostName());
        String user = AUTH_ID_PLACEHOLDER;
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<clientConfig version=\"1.1\">\n"
                + "  <emailProvider id=\"" + provider + "\">\n"
                + "    <domain>" + provider + "</domain>\n"
                + "    <displayName>" + host + "</displayName>\n"
                + "    <displayShortName>" + host + "</displayShortName>\n"
                + server("incomingServer", "imap", host, settings.imaps(), user)
                + server("incomingServer", "pop3", host, settings.pop3s(), user)
                + server("outgoingServer", "smtp", host, settings.submissions(), user)
                + "    <documentation url=\"" + Xml.escape(SetupRoutes.setupUrl(settings)) + "\">\n"
                + "      <descr lang=\"en\">Log in with your auth ID, not your e-mail address: replace "
                + AUTH_ID_PLACEHOLDER + " with it.</descr>\n"
                + "      <descr lang=\"ja\">ユーザー名にはメールアドレスではなく認証IDを入力してください（"
                + AUTH_ID_PLACEHOLDER + " を置き換えます）。</descr>\n"
                + "    </documentation>\n"
                + "  </emailProvider>\n"
                + "</clientConfig>\n";
    }

    private static String server(String element, String type, String host, int port, String user) {
        return "    <" + element + " type=\"" + type + "\">\n"
                + "      <hostname>" + host + "</hostname>\n"
                + "      <port>" + port + "</port>\n"
                + "      <socketType>SSL</socketType>\n"
                + "      <authentication>password-cleartext</authentication>\n"
                + "      <username>" + user + "</username>\n"
                + "    </" + element + ">\n";
    }
}
