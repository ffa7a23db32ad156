package dev.hato.imap.wire;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of APPEND (RFC 3501 §6.3.11, RFC 3502 MULTIAPPEND, RFC 3516 literal8, RFC 6855 UTF8): the mailbox, then
 * one or more messages, each with its flags, date-time and literal, which is only counted here (the session streamed
 * it elsewhere).
 */
final class AppendArguments {

    private AppendArguments() {
    }

    /** RFC 3502: append = "APPEND" SP mailbox 1*append-message. */
    static ImapCommand append(ImapCursor c, String tag) {
        String mailbox = c.spAstring();
        List<ImapCommand.Append.Message> messages = new ArrayList<>();
        do {
            messages.add(message(c));
        } while (!c.atEnd());
        return new ImapCommand.Append(tag, mailbox, messages);
    }

    /** RFC 3502: append-message = [SP flag-list] [SP date-time] SP literal. */
    private static ImapCommand.Append.Message message(ImapCursor c) {
        c.requireSp();
        List<String> flags = List.of();
        if (c.peek() == '(') {
            flags = c.flagList();
            c.requireSp();
        }
        OffsetDateTime date = null;
        if (c.peek() == '"') {
            date = ImapDates.dateTime(c.quoted());
            c.requireSp();
        }
        if (c.peekWord("UTF8")) {
            // RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")", literal8 = "~{" number ["+"] "}" CRLF *OCTET.
            c.atom();
            c.requireSp();
            c.open();
            c.expect('~');
            int index = c.literalIndex();
            long size = c.literalAnnouncement();
            c.close();
            return new ImapCommand.Append.Message(flags, date, size, index);
        }
        if (c.peek() == '~') {
            // RFC 3516 §4.4: append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP (literal / literal8);
            // the octets (NUL included) are stored as sent.
            c.expect('~');
        }
        int index = c.literalIndex();
        long size = c.literalAnnouncement();
        return new ImapCommand.Append.Message(flags, date, size, index);
    }
}
