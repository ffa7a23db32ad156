package dev.hato.auth.scram;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A SCRAM-SHA-256 client written straight from the formulas of RFC 5802 §3 (Hi computed by hand, not with the JDK's
 * PBKDF2), so that the server is checked against an implementation that shares none of its code.
 */
public final class RfcScramClient {

    private final String gs2Header;
    private final String password;
    private final String clientFirstBare;
    private final String clientNonce;
    private byte[] saltedPassword = new byte[0];
    private String authMessage = "";

    /** {@code gs2Header} such as {@code "n,,"}; {@code username} is escaped here as RFC 5802 §5.1 says. */
    public RfcScramClient(String gs2Header, String username, String password, String clientNonce) {
        this.gs2Header = gs2Header;
        this.password = password;
        this.clientNonce = clientNonce;
        this.clientFirstBare = "n=" + username.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
    }

    public byte[] first() {
        return (gs2Header + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    public byte[] finalMessage(String serverFirst) throws Exception {
        return finalMessage(serverFirst, true);
    }

    /** The client-final-message; {@code honest = false} sends the nonce with its last character changed. */
    public byte[] finalMessage(String serverFirst, boolean honest) throws Exception {
        String nonce = null;
        byte[] salt = null;
        int iterations = 0;
        for (String attribute : serverFirst.split(",")) {
            switch (attribute.charAt(0)) {
                case 'r' -> nonce = attribute.substring(2);
                case 's' -> salt = Base64.getDecoder().decode(attribute.substring(2));
                case 'i' -> iterations = Integer.parseInt(attribute.substring(2));
                default -> throw new IllegalArgumentException(attribute);
            }
        }
        if (nonce == null || salt == null || !nonce.startsWith(clientNonce) || nonce.equals(clientNonce)) {
            throw new IllegalArgumentException("bad server-first-message " + serverFirst);
        }
        if (!honest) {
            nonce = nonce.substring(0, nonce.length() - 1) + (nonce.endsWith("x") ? "y" : "x");
        }
        saltedPassword = hi(password.getBytes(StandardCharsets.UTF_8), salt, iterations);
        byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.UTF_8));
        byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
        String withoutProof = "c=" + Base64.getEncoder().encodeToString(gs2Header.getBytes(StandardCharsets.UTF_8))
                + ",r=" + nonce;
        authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] clientSignature = hmac(storedKey, authMessage.getBytes(StandardCharsets.UTF_8));
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ clientSignature[i]);
        }
        return (withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** RFC 5802 §3: the client checks the server-final-message against its own ServerSignature. */
    public boolean acceptsServerFinal(String serverFinal) throws Exception {
        byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.UTF_8));
        byte[] signature = hmac(serverKey, authMessage.getBytes(StandardCharsets.UTF_8));
        return serverFinal.equals("v=" + Base64.getEncoder().encodeToString(signature));
    }

    /** RFC 5802 §2.2: Hi(str, salt, i) = U1 XOR U2 XOR ... XOR Ui, U1 = HMAC(str, salt + INT(1)). */
    private static byte[] hi(byte[] str, byte[] salt, int iterations) throws Exception {
        byte[] first = new byte[salt.length + 4];
        System.arraycopy(salt, 0, first, 0, salt.length);
        first[first.length - 1] = 1;
        byte[] u = hmac(str, first);
        byte[] result = u.clone();
        for (int n = 1; n < iterations; n++) {
            u = hmac(str, u);
            for (int k = 0; k < result.length; k++) {
                result[k] ^= u[k];
            }
        }
        return result;
    }

    private static byte[] hmac(byte[] key, byte[] data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }
}
