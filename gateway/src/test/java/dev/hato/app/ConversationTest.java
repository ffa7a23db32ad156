package dev.hato.app;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every SMTP, POP3, IMAP and ManageSieve conversation script, played twice: against the session state machines directly, and over
 * real sockets (plain, STARTTLS and implicit TLS) against the running server. Both must give the same replies.
 */
class ConversationTest {

    private static final RunningHato HATO = RunningHato.shared();

    /**
     * {@code -Dhato.conversations=part[,part...]}: only the scripts whose name contains one of the parts (to run a few
     * by hand).
     */
    static Stream<Arguments> scripts() {
        List<String> only = List.of(System.getProperty("hato.conversations", "").split(","));
        return Stream.of("smtp", "pop3", "imap", "managesieve").flatMap(ConversationScript::all)
                .filter(script -> only.stream().anyMatch(part -> script.toString().contains(part)))
                .flatMap(script -> Stream.of(Arguments.of(script, "session"), Arguments.of(script, "socket")));
    }

    @ParameterizedTest(name = "{0} over {1}")
    @MethodSource("scripts")
    void conversationShouldGoAsScripted(ConversationScript script, String transport) throws Exception {
        Map<String, String> variables = new HashMap<>();
        variables.put("DOMAIN", RunningHato.DOMAIN);
        variables.put("HOST", RunningHato.HOST);
        for (String name : new String[] {"A", "B"}) {
            RunningHato.User user = HATO.newUser(name.toLowerCase());
            variables.put(name, user.authId());
            variables.put(name + "_ADDR", user.address());
            variables.put(name + "_PASS", user.password());
            variables.put(name + "_PLAIN", user.plain());
            variables.put(name + "_PLAIN_WRONG", java.util.Base64.getEncoder().encodeToString(
                    ("\0" + user.authId() + "\0wrong-password").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            variables.put(name + "_BEARER", dev.hato.auth.token.TestTokens.oauthBearer(user.address(), user.token()));
            variables.put(name + "_XOAUTH2", dev.hato.auth.token.TestTokens.xoauth2(user.authId(), user.token()));
            variables.put(name + "_TOKEN", user.token());
        }
        variables.put("A_TOKEN_NAMING_B", dev.hato.auth.token.TestTokens.oauthBearer(variables.get("B_ADDR"),
                variables.get("A_TOKEN")));
        variables.put("FORGED_BEARER", dev.hato.auth.token.TestTokens.oauthBearer(variables.get("A_ADDR"),
                dev.hato.auth.token.TestTokens.hs256(
                        dev.hato.auth.token.TokenKeys.hmacSecret("a-forger-does-not-know-the-secret!!"),
                        dev.hato.auth.token.TestTokens.claims(RunningHato.TOKEN_ISSUER, variables.get("A"),
                                java.time.Instant.now().getEpochSecond() + 3600))));
        MailListeners listeners = HATO.listeners();
        script.play(listener -> transport.equals("session")
                ? new SessionTransport(listeners.newSession(listener, SessionTransport.connection(implicit(listener))))
                : new SocketTransport(HATO.port(listener), implicit(listener)), variables);
    }

    private static boolean implicit(String listener) {
        return listener.equals("submissions") || listener.equals("pop3s") || listener.equals("imaps");
    }
}
