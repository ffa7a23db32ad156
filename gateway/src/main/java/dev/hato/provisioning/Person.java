package dev.hato.provisioning;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One person to create or update by an import, as a CSV row (or an LDAP entry) gives it, not yet validated.
 *
 * @param line where the person comes from, for messages: the CSV line, or a 1-based position in another source
 * @param address the address as given; the import checks and lower-cases it
 * @param displayName the display name, or null to keep an existing account's (a new one gets an empty name)
 * @param authId the auth ID to use, or null to keep an existing account's or issue one in the seed's style
 * @param password what the account's local password should be
 */
public record Person(int line, String address, @Nullable String displayName, @Nullable String authId,
                     Password password) {

    public Person {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(password, "password");
    }

    /** An account that authenticates against LDAP or an HTTP portal: what {@code hato user sync-ldap} imports. */
    public static Person external(int line, String address, @Nullable String displayName, @Nullable String authId) {
        return new Person(line, address, displayName, authId, Password.EXTERNAL);
    }

    /** The password a row asks for. */
    public sealed interface Password permits Generate, External, Given {
        /** A random initial password for a new account, written to the issued list; an existing one is kept. */
        Password GENERATE = new Generate();
        /** No local password: the account authenticates against an external source; a local one is removed. */
        Password EXTERNAL = new External();

        static Password given(String password) {
            return new Given(password);
        }
    }

    public record Generate() implements Password { }

    public record External() implements Password { }

    /** A password chosen by the operator; it replaces the account's unless it already is its password. */
    public record Given(String password) implements Password {
        public Given {
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Given[***]";
        }
    }
}
