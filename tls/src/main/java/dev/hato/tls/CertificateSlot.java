package dev.hato.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * One configured certificate and the reload bookkeeping around it: the identity served now, and the SHA-256 of
 * the file contents it was built from. A check reads both files whole (a few kilobytes; nothing per handshake) and
 * compares digests, which sees every way a file gets replaced: written in place, renamed over, or a symbolic link
 * switched to another target as certbot does in {@code /etc/letsencrypt/live}. Not thread-safe: {@link ServerTls}
 * checks its slots under one lock.
 */
final class CertificateSlot {

    /** What one check found. */
    enum Result {
        /** The files hold what is served. */
        UNCHANGED,
        /** New valid files: {@link Check#identity()} is to be served from now on. */
        LOADED,
        /** New files that are not a valid pair; what is served stays. */
        REFUSED,
        /**
         * New files that are not a valid pair, seen once by the watcher: perhaps a renewal half done (the chain
         * replaced, the key not yet). Refused if the next check finds them the same.
         */
        WAITING
    }

    /** One check's result; {@code problem} is set for {@link Result#REFUSED} and {@link Result#WAITING}. */
    record Check(Result result, CertificateFiles files, Identity identity, @Nullable String problem) { }

    // A PEM file of a few certificates is a few kilobytes; anything far larger is not one, and is not read whole.
    private static final long MAX_FILE_SIZE = 1024 * 1024;

    private final CertificateFiles files;
    private Identity identity;
    private byte[] loaded;
    private byte @Nullable [] refused;
    private byte @Nullable [] pending;

    private CertificateSlot(CertificateFiles files, Identity identity, byte[] loaded) {
        this.files = files;
        this.identity = identity;
        this.loaded = loaded;
    }

    /** Loads the files for the first time; a problem is a {@link TlsException}, since nothing is served yet. */
    static CertificateSlot load(CertificateFiles files) {
        Contents contents = read(files);
        if (contents.problem != null) {
            throw new TlsException(contents.problem);
        }
        return new CertificateSlot(files, parse(files, contents), contents.digest);
    }

    CertificateFiles files() {
        return files;
    }

    Identity identity() {
        return identity;
    }

    /**
     * Reads the files again and builds a new identity if they changed. {@code now}: refuse an invalid pair at once
     * (an operator's {@code hato tls reload}, run when the renewal is complete) rather than waiting for a second look.
     */
    Check check(boolean now) {
        Contents contents = read(files);
        if (Arrays.equals(contents.digest, loaded)) {
            pending = null;
            return new Check(Result.UNCHANGED, files, identity, null);
        }
        if (!now && Arrays.equals(contents.digest, refused)) {
            return new Check(Result.UNCHANGED, files, identity, null);
        }
        String problem = contents.problem;
        if (problem == null) {
            try {
                Identity replacement = parse(files, contents);
                identity = replacement;
                loaded = contents.digest;
                refused = null;
                pending = null;
                return new Check(Result.LOADED, files, replacement, null);
            } catch (TlsException e) {
                problem = e.getMessage();
            }
        }
        if (now || Arrays.equals(contents.digest, pending)) {
            refused = contents.digest;
            pending = null;
            return new Check(Result.REFUSED, files, identity, problem);
        }
        pending = contents.digest;
        return new Check(Result.WAITING, files, identity, problem);
    }

    private static Identity parse(CertificateFiles files, Contents contents) {
        CertifiedKey key = PemMaterial.parse(files.certificateChainPem(), contents.chain,
                files.privateKeyPem(), contents.key);
        return Identity.of(key, files.certificateChainPem().toString());
    }

    /** Both files' bytes and their digest; when one cannot be read, the digest is that of the problem instead. */
    private record Contents(byte[] chain, byte[] key, byte[] digest, @Nullable String problem) { }

    private static Contents read(CertificateFiles files) {
        byte[] chain;
        byte[] key;
        try {
            chain = readFile(files.certificateChainPem(), "certificate chain");
            key = readFile(files.privateKeyPem(), "private key");
        } catch (UnreadableFile e) {
            byte[] none = new byte[0];
            return new Contents(none, none, digest(e.getMessage().getBytes(StandardCharsets.UTF_8), none),
                    e.getMessage());
        }
        return new Contents(chain, key, digest(chain, key), null);
    }

    private static byte[] readFile(Path file, String role) throws UnreadableFile {
        try {
            if (Files.size(file) > MAX_FILE_SIZE) {
                throw new UnreadableFile(role + " file " + file + " is larger than " + MAX_FILE_SIZE
                        + " bytes: not a PEM file");
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new UnreadableFile(role + " file " + file + " does not exist");
        } catch (IOException e) {
            throw new UnreadableFile("cannot read " + role + " file " + file + ": " + PemMaterial.oneLine(e));
        }
    }

    private static byte[] digest(byte[] chain, byte[] key) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(chain);
            // The length between the two keeps "AB"+"C" apart from "A"+"BC".
            sha256.update(Long.toString(chain.length).getBytes(StandardCharsets.US_ASCII));
            sha256.update(key);
            return sha256.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static final class UnreadableFile extends Exception {
        UnreadableFile(String message) {
            super(message, null, false, false);
        }
    }
}
