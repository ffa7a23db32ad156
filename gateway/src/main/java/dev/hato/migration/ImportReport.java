package dev.hato.migration;

import java.util.ArrayList;
import java.util.List;

/**
 * What an import did, folder by folder: messages found, imported (or, in a dry run, to be imported), skipped because
 * the folder already holds them, and refused, with the reasons of the first {@value #KEPT_REFUSALS} refusals of each
 * folder. A folder that could not be read is refused as a whole, with one refusal saying why.
 */
public final class ImportReport {

    static final int KEPT_REFUSALS = 100;

    private final List<Folder> folders = new ArrayList<>();
    private int subscribed;

    /** One old folder and the account's folder it went to. */
    public static final class Folder {
        private final String source;
        private final String target;
        private int found;
        private int imported;
        private int skipped;
        private int renumbered;
        private int flagsUpdated;
        private int removed;
        private int refused;
        private final List<Refusal> refusals = new ArrayList<>();

        Folder(String source, String target) {
            this.source = source;
            this.target = target;
        }

        void countFound() {
            found++;
        }

        void countImported(int count) {
            imported += count;
        }

        void countSkipped() {
            skipped++;
        }

        /** Copied with new UIDs: their old ones were given in Hato already (mail of a cutover's last seconds). */
        void countRenumbered(int count) {
            renumbered += count;
        }

        private boolean changesAskedFor;

        /** The pass asked the old server only for the flags changed since the last one (CONDSTORE). */
        void changesAskedFor() {
            changesAskedFor = true;
        }

        /** Whether the pass asked only for the flags changed since the last one (RFC 7162 CHANGEDSINCE). */
        public boolean incremental() {
            return changesAskedFor;
        }

        /** Messages copied earlier whose flags were set again to the old server's. */
        void countFlagsUpdated(int count) {
            flagsUpdated += count;
        }

        /** Messages copied earlier that the old server has expunged since, expunged here too. */
        void countRemoved(int count) {
            removed += count;
        }

        public int flagsUpdated() {
            return flagsUpdated;
        }

        public int removed() {
            return removed;
        }

        /** Messages copied with new UIDs (see {@link #countRenumbered}). */
        public int renumbered() {
            return renumbered;
        }

        void refuse(String origin, String reason) {
            refused++;
            if (refusals.size() < KEPT_REFUSALS) {
                refusals.add(new Refusal(origin, reason));
            }
        }

        public String source() {
            return source;
        }

        public String target() {
            return target;
        }

        public int found() {
            return found;
        }

        public int imported() {
            return imported;
        }

        public int skipped() {
            return skipped;
        }

        public int refused() {
            return refused;
        }

        public List<Refusal> refusals() {
            return List.copyOf(refusals);
        }
    }

    /** A message (or folder) not imported: where it is, and why. */
    public record Refusal(String origin, String reason) { }

    Folder folder(String source, String target) {
        Folder folder = new Folder(source, target);
        folders.add(folder);
        return folder;
    }

    void subscribed() {
        subscribed++;
    }

    public List<Folder> folders() {
        return List.copyOf(folders);
    }

    /** Folders subscribed as the old server had them. */
    public int subscriptions() {
        return subscribed;
    }

    public int found() {
        return folders.stream().mapToInt(Folder::found).sum();
    }

    public int imported() {
        return folders.stream().mapToInt(Folder::imported).sum();
    }

    public int skipped() {
        return folders.stream().mapToInt(Folder::skipped).sum();
    }

    public int refused() {
        return folders.stream().mapToInt(Folder::refused).sum();
    }
}
