package dev.hato.provisioning;

import dev.hato.store.directory.ImportResult;
import java.time.Duration;
import java.util.List;

/**
 * What an import did, with where its time went: validating the input against the directory and issuing auth IDs
 * ({@code checking}), Argon2id hashing and verifying ({@code hashing}), the batch transactions ({@code database}).
 */
public record ImportReport(ImportResult result, List<Issued> issued, Duration checking, Duration hashing,
                           Duration database, Duration total) {

    public ImportReport {
        issued = List.copyOf(issued);
    }

    public long initialPasswords() {
        return issued.stream().filter(i -> i.initialPassword() != null).count();
    }
}
