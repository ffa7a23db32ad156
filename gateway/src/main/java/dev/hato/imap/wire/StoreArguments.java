package dev.hato.imap.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The arguments of STORE (RFC 3501 §6.4.6, RFC 7162 UNCHANGEDSINCE): the store mode and the flags. */
final class StoreArguments {

    private StoreArguments() {
    }

    static ImapCommand store(ImapCursor c, String tag, boolean uid) {
        c.requireSp();
        SequenceSet set = c.sequenceSet();
        c.requireSp();
        Long unchangedSince = null;
        if (c.peek() == '(') {
            // RFC 7162 §3.1.3 store-modifier
            c.open();
            if (!c.atom().equalsIgnoreCase("UNCHANGEDSINCE")) {
                throw new ImapSyntaxError("Unknown store modifier");
            }
            c.requireSp();
            unchangedSince = c.number64();
            c.close();
            c.requireSp();
        }
        ImapCommand.StoreMode mode = ImapCommand.StoreMode.REPLACE;
        if (c.peek() == '+' || c.peek() == '-') {
            mode = c.next() == '+' ? ImapCommand.StoreMode.ADD : ImapCommand.StoreMode.REMOVE;
        }
        String item = c.atom().toUpperCase(Locale.ROOT);
        boolean silent = switch (item) {
            case "FLAGS" -> false;
            case "FLAGS.SILENT" -> true;
            default -> throw new ImapSyntaxError("Expected FLAGS or FLAGS.SILENT");
        };
        c.requireSp();
        List<String> flags;
        if (c.peek() == '(') {
            flags = c.flagList();
        } else {
            flags = new ArrayList<>();
            do {
                flags.add(c.flag());
            } while (c.sp());
        }
        return new ImapCommand.Store(tag, uid, set, unchangedSince, mode, silent, flags);
    }
}
