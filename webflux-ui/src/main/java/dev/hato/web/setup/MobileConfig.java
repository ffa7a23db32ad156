package dev.hato.web.setup;

import dev.hato.web.login.WebUser;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * An Apple configuration profile ({@code .mobileconfig}, payload type {@code com.apple.mail.managed}) for the
 * person logged in: IMAP and SMTP submission over implicit TLS with their own auth ID, the password asked for on
 * the device. The profile is not signed, so iOS and macOS show it as unverified (docs/webmail.md). Its UUIDs are
 * derived from the host name and the account, so downloading it again replaces the installed profile.
 */
final class MobileConfig {

    private MobileConfig() { }

    static String render(ClientSettings settings, WebUser user) {
        String host = settings.hostName();
        String identifier = reverse(host) + ".mail." + user.accountId();
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
                + "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
                + "<plist version=\"1.0\">\n<dict>\n"
                + "  <key>PayloadContent</key>\n  <array>\n    <dict>\n"
                + string("EmailAccountDescription", user.address())
                + string("EmailAccountName", user.displayName().isBlank() ? user.address() : user.displayName())
                + string("EmailAccountType", "EmailTypeIMAP")
                + string("EmailAddress", user.address())
                + string("IncomingMailServerAuthentication", "EmailAuthPassword")
                + string("IncomingMailServerHostName", host)
                + integer("IncomingMailServerPortNumber", settings.imaps())
                + bool("IncomingMailServerUseSSL", true)
                + string("IncomingMailServerUsername", user.authId())
                + string("OutgoingMailServerAuthentication", "EmailAuthPassword")
                + string("OutgoingMailServerHostName", host)
                + integer("OutgoingMailServerPortNumber", settings.submissions())
                + bool("OutgoingMailServerUseSSL", true)
                + string("OutgoingMailServerUsername", user.authId())
                + bool("OutgoingPasswordSameAsIncomingPassword", true)
                + string("PayloadDescription", "Mail account " + user.address())
                + string("PayloadDisplayName", user.address())
                + string("PayloadIdentifier", identifier + ".account")
                + string("PayloadType", "com.apple.mail.managed")
                + string("PayloadUUID", uuid(identifier + ".account"))
                + integer("PayloadVersion", 1)
                + "    </dict>\n  </array>\n"
                + string("PayloadDescription", "Mail settings for " + host)
                + string("PayloadDisplayName", "Mail (" + host + ")")
                + string("PayloadIdentifier", identifier)
                + bool("PayloadRemovalDisallowed", false)
                + string("PayloadType", "Configuration")
                + string("PayloadUUID", uuid(identifier))
                + integer("PayloadVersion", 1)
                + "</dict>\n</plist>\n";
    }

    static String fileName(ClientSettings settings) {
        return "mail-" + settings.hostName() + ".mobileconfig";
    }

    private static String reverse(String host) {
        String[] labels = host.split("\\.");
        StringBuilder out = new StringBuilder();
        for (int i = labels.length - 1; i >= 0; i--) {
            out.append(labels[i]);
            if (i > 0) {
                out.append('.');
            }
        }
        return out.toString();
    }

    private static String uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString().toUpperCase(java.util.Locale.ROOT);
    }

    private static String string(String key, String value) {
        return "      <key>" + key + "</key><string>" + Xml.escape(value) + "</string>\n";
    }

    private static String integer(String key, int value) {
        return "      <key>" + key + "</key><integer>" + value + "</integer>\n";
    }

    private static String bool(String key, boolean value) {
        return "      <key>" + key + "</key>" + (value ? "<true/>" : "<false/>") + "\n";
    }
}
