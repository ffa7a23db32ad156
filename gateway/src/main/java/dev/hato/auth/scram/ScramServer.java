package dev.hato.auth.scram;

import dev.hato.auth.AuthIds;
import dev.hato.auth.ScramKeys;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * The server side of one SCRAM-SHA-256 exchange (RFC 5802 §5, RFC 7677), as a state machine over decoded SASL
 * messages: {@link #clientFirst}, then {@link #serverFirst} with the user's keys, then {@link #clientFinal}. No I/O,
 * no lookups, no clock: the caller finds the keys and talks to the network. One instance per exchange, used by one
 * thread at a time.
 *
 * <p>Only SCRAM-SHA-256 without channel binding is offered, so a client that asks for channel binding ({@code p=})
 * is refused, and one that says it could have used it ({@code y}) is accepted (RFC 5802 §6: the server does not
 * support it, so there was no downgrade).
 */
public final class ScramServer {

    /** The most a client message may hold; real ones are under 200 octets. */
    public static final int MAX_MESSAGE = 4096;
    /** The longest username or client nonce accepted. */
    static final int MAX_FIELD = 512;
    /** RFC 7677 §3 / RFC 5802 §5.1: the server adds fresh random octets to the nonce; 18 octets are 24 base64 chars. */
    private static final int NONCE_OCTETS = 18;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private enum Stage { CLIENT_FIRST, SERVER_FIRST, CLIENT_FINAL, DONE }

    private final Supplier<String> serverNonces;
    private Stage stage = Stage.CLIENT_FIRST;
    private String gs2Header = "";
    private String clientFirstBare = "";
    private String clientNonce = "";
    private String nonce = "";
    private String serverFirst = "";
    private ScramKeys.@Nullable Keys keys;

    /** An exchange with a fresh random server nonce. */
    public ScramServer() {
        this(ScramServer::randomNonce);
    }

    /**
     * An exchange whose server nonce part comes from {@code serverNonces} (tests reproduce RFC 7677 §3 with it); it
     * must be printable ASCII without a comma.
     */
    public ScramServer(Supplier<String> serverNonces) {
        this.serverNonces = Objects.requireNonNull(serverNonces, "serverNonces");
    }

    /** What the client-first-message gave. */
    public sealed interface First permits Identified, Refused { }

    /** What the client-final-message gave. */
    public sealed interface Final permits Verified, Refused { }

    /**
     * The client names {@code username} (decoded from its saslname); {@code authzid} is empty or the same user: the
     * keys to look up are {@code username}'s.
     */
    public record Identified(String username, String authzid) implements First { }

    /** The proof is right; send {@code serverFinal} ({@code v=<ServerSignature>}) so the client can check us. */
    public record Verified(String serverFinal) implements Final { }

    /** The exchange failed; {@link ScramError#message()} is the server-final-message that says why. */
    public record Refused(ScramError error) implements First, Final { }

    /** RFC 5802 §7 client-first-message = gs2-header client-first-message-bare. */
    public First clientFirst(byte[] message) {
        expect(Stage.CLIENT_FIRST);
        stage = Stage.DONE;
        @Nullable String text = text(message);
        if (text == null) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        int firstComma = text.indexOf(',');
        int secondComma = firstComma < 0 ? -1 : text.indexOf(',', firstComma + 1);
        if (secondComma < 0) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        String flag = text.substring(0, firstComma);
        if (flag.startsWith("p=")) {
            return new Refused(ScramError.CHANNEL_BINDING_NOT_SUPPORTED);
        }
        if (!flag.equals("n") && !flag.equals("y")) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        String authzidField = text.substring(firstComma + 1, secondComma);
        String authzid = "";
        if (!authzidField.isEmpty()) {
            if (!authzidField.startsWith("a=")) {
                return new Refused(ScramError.INVALID_ENCODING);
            }
            @Nullable String decoded = saslname(authzidField.substring(2));
            if (decoded == null) {
                return new Refused(ScramError.INVALID_USERNAME_ENCODING);
            }
            authzid = decoded;
        }
        String bare = text.substring(secondComma + 1);
        String[] fields = bare.split(",", -1);
        // RFC 5802 §5.1: "m=" is reserved for a mandatory extension; none is supported.
        if (fields[0].startsWith("m=")) {
            return new Refused(ScramError.EXTENSIONS_NOT_SUPPORTED);
        }
        if (fields.length < 2 || !fields[0].startsWith("n=") || !fields[1].startsWith("r=")
                || !extensions(fields, 2, fields.length)) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        @Nullable String username = saslname(fields[0].substring(2));
        if (username == null || username.length() > MAX_FIELD) {
            return new Refused(ScramError.INVALID_USERNAME_ENCODING);
        }
        String clientNonceValue = fields[1].substring(2);
        if (clientNonceValue.isEmpty() || clientNonceValue.length() > MAX_FIELD || !printable(clientNonceValue)) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        // RFC 5802 §5.1: an authzid other than the user would be acting as someone else, which Hato does not allow.
        if (!authzid.isEmpty() && !AuthIds.normalize(authzid).equals(AuthIds.normalize(username))) {
            return new Refused(ScramError.OTHER_ERROR);
        }
        gs2Header = text.substring(0, secondComma + 1);
        clientFirstBare = bare;
        clientNonce = clientNonceValue;
        stage = Stage.SERVER_FIRST;
        return new Identified(username, authzid);
    }

    /**
     * RFC 5802 §7 server-first-message {@code r=<client nonce><server nonce>,s=<salt>,i=<iterations>} for the keys
     * of the identified user (or stable decoy keys when there is no such user, RFC 5802 §9).
     */
    public String serverFirst(ScramKeys.Keys userKeys) {
        expect(Stage.SERVER_FIRST);
        String serverNonce = serverNonces.get();
        if (serverNonce.isEmpty() || !printable(serverNonce)) {
            throw new IllegalStateException("a server nonce must be printable ASCII without a comma");
        }
        keys = userKeys;
        nonce = clientNonce + serverNonce;
        serverFirst = "r=" + nonce + ",s=" + B64.encodeToString(userKeys.salt()) + ",i=" + userKeys.iterations();
        stage = Stage.CLIENT_FINAL;
        return serverFirst;
    }

    /**
     * RFC 5802 §7 client-final-message = channel-binding "," nonce ["," extensions] "," proof; §3 proof check:
     * ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage) must hash to StoredKey.
     */
    public Final clientFinal(byte[] message) {
        expect(Stage.CLIENT_FINAL);
        stage = Stage.DONE;
        ScramKeys.Keys userKeys = Objects.requireNonNull(keys);
        @Nullable String text = text(message);
        if (text == null) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        String[] fields = text.split(",", -1);
        if (fields.length < 3 || !fields[0].startsWith("c=") || !fields[1].startsWith("r=")
                || !fields[fields.length - 1].startsWith("p=") || !extensions(fields, 2, fields.length - 1)) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        byte @Nullable [] binding = base64(fields[0].substring(2));
        byte @Nullable [] proof = base64(fields[fields.length - 1].substring(2));
        if (binding == null || proof == null) {
            return new Refused(ScramError.INVALID_ENCODING);
        }
        // RFC 5802 §7: without channel binding, cbind-input is the gs2-header itself ("biws" for "n,,").
        if (!MessageDigest.isEqual(binding, gs2Header.getBytes(StandardCharsets.UTF_8))) {
            return new Refused(ScramError.CHANNEL_BINDINGS_DONT_MATCH);
        }
        if (!fields[1].substring(2).equals(nonce)) {
            return new Refused(ScramError.OTHER_ERROR);
        }
        if (proof.length != userKeys.storedKey().length) {
            return new Refused(ScramError.INVALID_PROOF);
        }
        String withoutProof = text.substring(0, text.lastIndexOf(",p="));
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof)
                .getBytes(StandardCharsets.UTF_8);
        byte[] clientKey = hmac(userKeys.storedKey(), authMessage);
        for (int i = 0; i < clientKey.length; i++) {
            clientKey[i] ^= proof[i];
        }
        if (!MessageDigest.isEqual(sha256(clientKey), userKeys.storedKey())) {
            return new Refused(ScramError.INVALID_PROOF);
        }
        return new Verified("v=" + B64.encodeToString(hmac(userKeys.serverKey(), authMessage)));
    }

    private void expect(Stage expected) {
        if (stage != expected) {
            throw new IllegalStateException("SCRAM exchange is at " + stage + ", not " + expected);
        }
    }

    /** The message as UTF-8 (RFC 5802 §7 is UTF-8 throughout); null when too long, malformed or holding a NUL. */
    private static @Nullable String text(byte[] message) {
        if (message.length == 0 || message.length > MAX_MESSAGE) {
            return null;
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message));
            String text = chars.toString();
            return text.indexOf('\0') >= 0 ? null : text;
        } catch (CharacterCodingException malformed) {
            return null;
        }
    }

    /** RFC 5802 §7 saslname: "=2C" is ",", "=3D" is "=", any other "=" is an error; never empty. */
    static @Nullable String saslname(String value) {
        if (value.isEmpty()) {
            return null;
        }
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '=') {
                out.append(c);
            } else if (value.startsWith("=2C", i)) {
                out.append(',');
                i += 2;
            } else if (value.startsWith("=3D", i)) {
                out.append('=');
                i += 2;
            } else {
                return null;
            }
        }
        return out.toString();
    }

    /** RFC 5802 §7 printable = %x21-2B / %x2D-7E: visible ASCII without ",". */
    private static boolean printable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e || c == ',') {
                return false;
            }
        }
        return true;
    }

    /** RFC 5802 §7 extensions: attr-val with a one-letter attribute; unknown ones are ignored. */
    private static boolean extensions(String[] fields, int from, int to) {
        for (int i = from; i < to; i++) {
            String field = fields[i];
            char attribute = field.isEmpty() ? ' ' : field.charAt(0);
            boolean alpha = attribute >= 'a' && attribute <= 'z' || attribute >= 'A' && attribute <= 'Z';
            if (field.length() < 2 || field.charAt(1) != '=' || !alpha) {
                return false;
            }
        }
        return true;
    }

    private static byte @Nullable [] base64(String value) {
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException notBase64) {
            return null;
        }
    }

    private static String randomNonce() {
        byte[] octets = new byte[NONCE_OCTETS];
        RANDOM.nextBytes(octets);
        return B64.encodeToString(octets);
    }

    static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required on every Java platform", e);
        }
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required on every Java platform", e);
        }
    }
}
