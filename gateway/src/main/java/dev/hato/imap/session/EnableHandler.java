package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/** RFC 5161 ENABLE: CONDSTORE, QRESYNC (RFC 7162), UTF8=ACCEPT (RFC 6855) and IMAP4rev2 (RFC 9051 §6.3.1). */
final class EnableHandler {

    private final ImapSession session;

    EnableHandler(ImapSession session) {
        this.session = session;
    }

    Flux<Action> enable(ImapCommand.Enable enable) {
        List<String> enabled = new ArrayList<>();
        for (String capability : enable.capabilities()) {
            switch (capability) {
                case "CONDSTORE" -> {
                    if (!session.condStore()) {
                        session.enableCondStore();
                        enabled.add(capability);
                    }
                }
                case "UTF8=ACCEPT" -> {
                    // RFC 6855 §3: from now on mailbox names are UTF-8, never modified UTF-7.
                    if (!session.utf8Accept()) {
                        session.enableUtf8();
                        enabled.add(capability);
                    }
                }
                case "QRESYNC" -> {
                    // RFC 7162 §3.2.3: enabling QRESYNC implies CONDSTORE.
                    if (!session.qresync()) {
                        session.enableQresync();
                        enabled.add(capability);
                    }
                }
                case "IMAP4REV2" -> {
                    // RFC 9051 §6.3.1: both revisions are advertised, so rev2 behaviour waits for this. The parser
                    // upper-cases capability names; ENABLED names it as CAPABILITY does.
                    if (!session.imap4rev2()) {
                        session.enableImap4rev2();
                        enabled.add("IMAP4rev2");
                    }
                }
                default -> { } // RFC 5161 §3.1: unknown or unoffered extensions are ignored.
            }
        }
        return Flux.concat(ImapSession.line("* ENABLED" + (enabled.isEmpty() ? "" : " " + String.join(" ", enabled))),
                session.done(enable.tag(), "OK ENABLE completed", true));
    }
}
