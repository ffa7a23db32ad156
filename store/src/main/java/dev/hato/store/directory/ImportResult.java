package dev.hato.store.directory;

/**
 * What {@link Directory#importAccounts} did: accounts created (each with its INBOX), accounts updated (display
 * name or password changed), and rows that matched their account already.
 */
public record ImportResult(int created, int updated, int unchanged) {

    public static final ImportResult NONE = new ImportResult(0, 0, 0);

    public ImportResult {
        if (created < 0 || updated < 0 || unchanged < 0) {
            throw new IllegalArgumentException("negative count");
        }
    }

    public ImportResult plus(ImportResult other) {
        return new ImportResult(created + other.created, updated + other.updated, unchanged + other.unchanged);
    }

    public int rows() {
        return created + updated + unchanged;
    }
}
