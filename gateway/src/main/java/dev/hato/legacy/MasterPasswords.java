package dev.hato.legacy;

import dev.hato.auth.SecretFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master user's password of a legacy system, sealed for the store and opened again: AES-256-GCM under the key in
 * {@value #SECRET_FILE} of the data directory, with the system's name as associated data, so a sealed password
 * copied to another system's row does not open. The store (and a dump of it) never holds the password in the clear;
 * nodes that share a store share the key file, as they share {@code srs.secret}.
 */
public final class MasterPasswords {

    /** The key's file in the data directory. */
    public static final String SECRET_FILE = "legacy.secret";

    private static final int NONCE_OCTETS = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private MasterPasswords(byte[] secret) {
        this.key = new SecretKeySpec(Arrays.copyOf(secret, 32), "AES");
    }

    /** The key of {@code dataDir}, made on first use. Blocking file I/O: for the CLI and start-up. */
    public static MasterPasswords of(Path dataDir) throws IOException {
        return new MasterPasswords(SecretFile.read(dataDir.resolve(SECRET_FILE), 32,
                "the legacy systems' master passwords"));
    }

    /** {@code password} sealed for the system {@code backend}: a fresh nonce, then the ciphertext and its tag. */
    public byte[] seal(String backend, String password) {
        byte[] nonce = new byte[NONCE_OCTETS];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, backend, nonce);
            byte[] sealed = cipher.doFinal(password.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_OCTETS + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    /**
     * The password {@link #seal} sealed for {@code backend}.
     *
     * @throws IllegalStateException when it does not open: another key file, or another system's sealed password
     */
    public String open(String backend, byte[] sealed) {
        if (sealed.length <= NONCE_OCTETS) {
            throw new IllegalStateException("the master password of " + backend + " is not a sealed password");
        }
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, backend, Arrays.copyOf(sealed, NONCE_OCTETS));
            return new String(cipher.doFinal(sealed, NONCE_OCTETS, sealed.length - NONCE_OCTETS),
                    StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the master password of " + backend + " does not open with this data "
                    + "directory's " + SECRET_FILE + " (another node's key file, or a new one?): set it again with "
                    + "hato legacy add " + backend + " --replace", e);
        }
    }

    private Cipher cipher(int mode, String backend, byte[] nonce) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(backend.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
