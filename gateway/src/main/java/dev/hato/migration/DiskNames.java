package dev.hato.migration;

import dev.hato.imap.wire.ModifiedUtf7;
import java.util.ArrayList;
import java.util.List;

/**
 * Folder names as old servers write them on disk: each level in IMAP's modified UTF-7 (RFC 3501 §5.1.3; Dovecot
 * and Courier encode names so, also in mbox file names), unless the level is not ASCII (Dovecot's {@code UTF-8}
 * option, or a tree written by hand), then it is taken as it is. Hato's form is Unicode with {@code /} between levels.
 */
final class DiskNames {

    private DiskNames() { }

    /** A name on disk whose levels are separated by {@code separator} (a regular expression), in Hato's form. */
    static String name(String onDisk, String separator) {
        List<String> levels = new ArrayList<>();
        for (String level : onDisk.split(separator, -1)) {
            levels.add(level(level));
        }
        return String.join("/", levels);
    }

    /** One level of a name: {@code &MOEw,DDqMPMwsDDqMLkwyA-} is {@code メーリングリスト}. */
    static String level(String level) {
        for (int i = 0; i < level.length(); i++) {
            if (level.charAt(i) > 0x7e) {
                return level;
            }
        }
        try {
            return ModifiedUtf7.decode(level);
        } catch (IllegalArgumentException notModifiedUtf7) {
            return level; // an '&' that starts no valid shift: the name as written
        }
    }
}
