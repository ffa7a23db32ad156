package dev.hato.auth;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * A server secret kept in a file of the data directory (the SCRAM decoy secret, the SRS key): read when it exists,
 * otherwise created with random octets, readable by the owner only. Several nodes on one database should share the
 * file. Blocking file I/O: call it at start-up, never on an event loop.
 */
public final class SecretFile {

    private SecretFile() { }

    /**
     * The secret in {@code file}, made with {@code minOctets} random octets when there is none.
     *
     * @param purpose what the secret is, for the message when the file holds too little
     */
    public static byte[] read(Path file, int minOctets, String purpose) throws IOException {
        if (!Files.exists(file)) {
            byte[] fresh = new byte[minOctets];
            new SecureRandom().nextBytes(fresh);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path temporary = Files.createTempFile(parent, ".secret", ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException notPosix) {
                    // Windows: the data directory's own permissions protect it
                }
                Files.write(temporary, fresh);
                try {
                    Files.move(temporary, file); // two processes starting at once: the first one's secret wins
                } catch (FileAlreadyExistsException lost) {
                    // read the winner's below
                }
            } finally {
                Files.deleteIfExists(temporary);
            }
        }
        byte[] secret = Files.readAllBytes(file);
        if (secret.length < minOctets) {
            throw new IOException(file + " holds " + secret.length + " octets; " + purpose + " needs at least "
                    + minOctets + " (delete it to have a new one made)");
        }
        return secret;
    }
}
