package dev.hato.provisioning;

import dev.hato.store.directory.ImportResult;
import java.util.List;

/**
 * Follows an import as it runs (a progress bar, the issued list being written). Methods are called one at a time,
 * never on an event loop, so they may write to files and terminals.
 */
public interface ImportListener {

    ImportListener NONE = new ImportListener() { };

    /** The input passed validation; {@code rows} people are imported in batches now. */
    default void started(int rows) { }

    /** {@code rows} more people have their password hashed or checked (or needed neither). */
    default void prepared(int rows) { }

    /** A batch committed: its people with their auth IDs, and what the batch did. */
    default void committed(List<Issued> issued, ImportResult result) { }
}
