package dev.hato.provisioning;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * The list of issued auth IDs an import writes: CSV {@code address,auth_id,initial_password}, UTF-8, CRLF, with
 * file mode 0600 from the moment it exists, since it holds initial passwords. Rows are appended and flushed batch
 * by batch as the batches commit, so an import that stops half-way still lists what it committed.
 */
public final class IssuedCsv implements Closeable {

    public static final List<String> COLUMNS = List.of("address", "auth_id", "initial_password");

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final BufferedWriter out;
    private int rows;

    private IssuedCsv(BufferedWriter out) {
        this.out = out;
    }

    /** {@code users.csv} → {@code users-issued.csv} in the same directory. */
    public static Path defaultPath(Path input) {
        String name = input.getFileName().toString();
        String base = name.toLowerCase(java.util.Locale.ROOT).endsWith(".csv")
                ? name.substring(0, name.length() - 4) : name;
        return input.resolveSibling(base + "-issued.csv");
    }

    /**
     * Creates the file (never replacing one unless {@code overwrite}: it may hold initial passwords not handed out
     * yet) and writes the header.
     */
    public static IssuedCsv create(Path file, boolean overwrite) throws IOException {
        if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (!overwrite) {
                throw new FileAlreadyExistsException(file.toString(), null,
                        "it may hold initial passwords: move it away, or pass --overwrite");
            }
            Files.delete(file);
        }
        boolean posix = Files.getFileStore(file.toAbsolutePath().getParent()).supportsFileAttributeView("posix");
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
        // CREATE_NEW with the mode as an attribute: no moment at which another user could open the file.
        var channel = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                attributes);
        if (posix) {
            Files.setPosixFilePermissions(file, OWNER_ONLY); // in case a umask took more than group and other bits
        }
        IssuedCsv issued = new IssuedCsv(new BufferedWriter(new OutputStreamWriter(Channels.newOutputStream(channel),
                StandardCharsets.UTF_8)));
        Csv.write(issued.out, COLUMNS);
        issued.out.flush();
        return issued;
    }

    public void write(List<Issued> batch) throws IOException {
        for (Issued issued : batch) {
            String password = issued.initialPassword();
            Csv.write(out, List.of(issued.address(), issued.authId(), password == null ? "" : password));
        }
        out.flush();
        rows += batch.size();
    }

    public int rows() {
        return rows;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
