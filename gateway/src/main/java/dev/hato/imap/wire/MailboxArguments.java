package dev.hato.imap.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The arguments of the commands on mailboxes: SELECT and EXAMINE (with RFC 7162 CONDSTORE and QRESYNC), LIST (RFC 5258
 * LIST-EXTENDED), LSUB, STATUS, and the target of COPY and MOVE.
 */
final class MailboxArguments {

    private MailboxArguments() {
    }

    /** RFC 3501 §6.3.1 SELECT and §6.3.2 EXAMINE. */
    static ImapCommand select(ImapCursor c, String tag, String name) {
        c.requireSp();
        String mailbox = c.astring();
        boolean condStore = false;
        ImapCommand.QResync qresync = null;
        if (c.sp()) {
            // RFC 4466 §2.2 select-params; RFC 7162 §3.1.8 CONDSTORE, §3.2.5 QRESYNC.
            c.open();
            do {
                String param = c.atom().toUpperCase(Locale.ROOT);
                if (param.equals("CONDSTORE")) {
                    condStore = true;
                } else if (param.equals("QRESYNC") && qresync == null) {
                    c.requireSp();
                    qresync = qresync(c);
                } else {
                    throw new ImapSyntaxError("Unknown select parameter " + param);
                }
            } while (c.sp());
            c.close();
        }
        return new ImapCommand.Select(tag, mailbox, name.equals("EXAMINE"), condStore, qresync);
    }

    /** RFC 7162 §3.2.5: {@code (uidvalidity mod-sequence-value [SP known-uids] [SP seq-match-data])}. */
    private static ImapCommand.QResync qresync(ImapCursor c) {
        c.open();
        long uidValidity = c.nzNumber();
        c.requireSp();
        long modseq = c.number64();
        SequenceSet known = null;
        SequenceSet sequences = null;
        SequenceSet uids = null;
        if (c.sp()) {
            if (c.peek() != '(') {
                known = c.sequenceSet();
                if (c.sp()) {
                    c.open();
                    sequences = c.sequenceSet();
                    c.requireSp();
                    uids = c.sequenceSet();
                    c.close();
                }
            } else {
                c.open();
                sequences = c.sequenceSet();
                c.requireSp();
                uids = c.sequenceSet();
                c.close();
            }
        }
        c.close();
        return new ImapCommand.QResync(uidValidity, modseq, known, sequences, uids);
    }

    static ImapCommand list(ImapCursor c, String tag) {
        c.requireSp();
        List<String> selection = List.of();
        if (c.peek() == '(') {
            // RFC 5258 §3 list-select-opts
            selection = ImapCommandParser.upper(c.atomList());
            c.requireSp();
        }
        String reference = c.astring();
        c.requireSp();
        List<String> patterns = new ArrayList<>();
        if (c.peek() == '(') {
            c.open();
            do {
                patterns.add(c.listMailbox());
            } while (c.sp());
            c.close();
        } else {
            patterns.add(c.listMailbox());
        }
        List<ImapCommand.ReturnOption> returns = new ArrayList<>();
        if (c.sp()) {
            if (!c.atom().equalsIgnoreCase("RETURN")) {
                throw new ImapSyntaxError("Expected RETURN");
            }
            c.requireSp();
            c.open();
            if (c.peek() != ')') {
                do {
                    String option = c.atom().toUpperCase(Locale.ROOT);
                    List<String> arguments = List.of();
                    if (c.peek() == ' ' && c.peekAt(1) == '(') {
                        c.sp();
                        arguments = ImapCommandParser.upper(c.atomList());
                    }
                    returns.add(new ImapCommand.ReturnOption(option, arguments));
                } while (c.sp());
            }
            c.close();
        }
        return new ImapCommand.ListMailboxes(tag, selection, reference, patterns, returns);
    }

    /** RFC 3501 §6.3.9 LSUB. */
    static ImapCommand lsub(ImapCursor c, String tag) {
        String reference = c.spAstring();
        c.requireSp();
        return new ImapCommand.Lsub(tag, reference, c.listMailbox());
    }

    /** RFC 3501 §6.3.10 STATUS. */
    static ImapCommand status(ImapCursor c, String tag) {
        String mailbox = c.spAstring();
        c.requireSp();
        List<String> items = c.atomList();
        if (items.isEmpty()) {
            throw new ImapSyntaxError("STATUS needs at least one item");
        }
        return new ImapCommand.Status(tag, mailbox, ImapCommandParser.upper(items));
    }

    static ImapCommand copy(ImapCursor c, String tag, boolean uid, boolean move) {
        c.requireSp();
        SequenceSet set = c.sequenceSet();
        return new ImapCommand.Copy(tag, uid, set, c.spAstring(), move);
    }
}
