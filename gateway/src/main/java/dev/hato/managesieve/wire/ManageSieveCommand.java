package dev.hato.managesieve.wire;

import org.jspecify.annotations.Nullable;

/**
 * One ManageSieve command (RFC 5804 §2), its strings decoded. Script names and contents are what the client sent,
 * UTF-8 checked; whether a name is acceptable is the store's rule, whether a script is valid the compiler's.
 */
public sealed interface ManageSieveCommand {

    /** RFC 5804 §2.1: {@code AUTHENTICATE mechanism [initial-response]}; the response as sent (base64). */
    record Authenticate(String mechanism, @Nullable String initialResponse) implements ManageSieveCommand { }

    /** RFC 5804 §2.2. */
    record StartTls() implements ManageSieveCommand { }

    /** RFC 5804 §2.5: whether a script of {@code size} octets named {@code name} would fit. */
    record HaveSpace(String name, long size) implements ManageSieveCommand { }

    /** RFC 5804 §2.6. */
    record PutScript(String name, String content) implements ManageSieveCommand { }

    /** RFC 5804 §2.7. */
    record ListScripts() implements ManageSieveCommand { }

    /** RFC 5804 §2.8: an empty name deactivates every script. */
    record SetActive(String name) implements ManageSieveCommand { }

    /** RFC 5804 §2.9. */
    record GetScript(String name) implements ManageSieveCommand { }

    /** RFC 5804 §2.10. */
    record DeleteScript(String name) implements ManageSieveCommand { }

    /** RFC 5804 §2.11: the script keeps its text and whether it is active. */
    record RenameScript(String oldName, String newName) implements ManageSieveCommand { }

    /** RFC 5804 §2.12: compile without storing. */
    record CheckScript(String content) implements ManageSieveCommand { }

    /** RFC 5804 §2.13: {@code tag} is echoed in a TAG response code when given. */
    record Noop(@Nullable String tag) implements ManageSieveCommand { }

    /** RFC 5804 §2.14: back to the non-authenticated state. */
    record Unauthenticate() implements ManageSieveCommand { }

    /** RFC 5804 §2.4. */
    record Capability() implements ManageSieveCommand { }

    /** RFC 5804 §2.3: the server answers OK and closes. */
    record Logout() implements ManageSieveCommand { }

    /** A known command whose arguments do not parse; {@code reason} is for the NO response. */
    record Invalid(String reason) implements ManageSieveCommand { }

    /** A command name this server does not know. */
    record Unknown() implements ManageSieveCommand { }
}
