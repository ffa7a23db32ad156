package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.Mailboxes;
import dev.hato.store.mail.MessageMeta;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

/** RFC 3501 §6.4.6 STORE and UID STORE, with RFC 7162 UNCHANGEDSINCE; and what a storable flag is. */
final class StoreHandler {

    // Linear on any input: one character class repeated at most 100 times, with nothing it could overlap with, so a
    // match fails after at most 100 steps forward and as many back (no nested or adjacent quantifiers).
    private static final Pattern KEYWORD = Pattern.compile("[!#$&'+-\\[^-z|~]{1,100}");

    private final ImapSession session;
    private final ImapServices services;

    StoreHandler(ImapSession session) {
        this.session = session;
        this.services = session.services();
    }

    Flux<Action> store(ImapCommand.Store command) {
        return session.guarded(command.tag(), store(session.user(), session.mailbox(), command));
    }

    private Flux<Action> store(Account user, SelectedMailbox mailbox, ImapCommand.Store store) {
        String tag = store.tag();
        if (mailbox.readOnly()) {
            return session.no(tag, "[READ-ONLY] The mailbox is read-only");
        }
        Set<String> flags = new LinkedHashSet<>();
        for (String flag : store.flags()) {
            String canonical = canonicalFlag(flag);
            if (canonical == null) {
                return session.bad(tag, "Invalid flag " + flag);
            }
            if (!canonical.equals("\\Recent")) { // RFC 3501 §2.3.2: \Recent cannot be stored
                flags.add(canonical);
            }
        }
        if (store.unchangedSince() != null) {
            session.enableCondStore(); // RFC 7162 §3.1: UNCHANGEDSINCE enables CONDSTORE.
        }
        // RFC 2180 §4.2: a message another session expunged (not yet announced here) is left out; the rest is stored
        // and the answer is OK. Its EXPUNGE follows when one may be sent (RFC 3501 §7.4.1).
        List<Long> uids = new ArrayList<>();
        // The flags the client was told, to see which stored messages carry other sessions' changes as well.
        Map<Long, Set<String>> told = new HashMap<>();
        for (Long uid : mailbox.resolve(store.set(), store.uid(), session.savedResult())) {
            MessageMeta message = mailbox.message(uid);
            if (message != null) {
                uids.add(uid);
                told.put(uid, message.flags());
            }
        }
        if (uids.isEmpty()) {
            return session.done(tag, "OK STORE completed", store.uid());
        }
        Mailboxes.FlagMode mode = switch (store.mode()) {
            case REPLACE -> Mailboxes.FlagMode.REPLACE;
            case ADD -> Mailboxes.FlagMode.ADD;
            case REMOVE -> Mailboxes.FlagMode.REMOVE;
        };
        boolean uid = store.uid();
        return services.mailboxes().store(user.id(), mailbox.id(), uids, mode, flags, store.unchangedSince())
                .flatMapMany(update -> {
                    for (MessageMeta message : update.changed()) {
                        mailbox.updated(message);
                        mailbox.sawModseq(message.modseq());
                    }
                    // RFC 3501 §7.2.6: a keyword new to the mailbox is announced before a FETCH shows it.
                    List<String> lines = new ArrayList<>(mailbox.newFlagsResponses());
                    Set<Long> refused = new HashSet<>(update.modified());
                    Set<Long> changed = new HashSet<>();
                    update.changed().forEach(m -> changed.add(m.uid()));
                    boolean unknown = false;
                    for (Long each : uids) {
                        MessageMeta message = mailbox.message(each);
                        if (message == null || refused.contains(each)) {
                            continue;
                        }
                        if (!changed.contains(each) && !same(message.flags(), after(message.flags(), mode, flags))) {
                            // The store did not change what it had to: another session expunged the message or set
                            // these flags first. Its flags here would be stale; the read at the end tells the truth.
                            // After .SILENT the client takes its own change as made: the read at the end must compare
                            // the truth with that, or a later change back to the old flags would never be told.
                            if (store.silent()) {
                                mailbox.presume(each, after(told.get(each), mode, flags));
                            }
                            unknown = true;
                            continue;
                        }
                        // RFC 3501 §6.4.6: FLAGS of every message in the set unless .SILENT; RFC 7162 §3.1.3: under
                        // CONDSTORE a changed message's new MODSEQ is reported even with .SILENT (its example d105).
                        if (!store.silent() || changed.contains(each)
                                && !same(message.flags(), after(told.get(each), mode, flags))) {
                            // With .SILENT too when the stored message also carries another session's change that
                            // this one was not told of (RFC 3501 §5.2; RFC 7162 §3.1.3 example 10): the snapshot now
                            // holds it, so no later announcement would.
                            lines.add(mailbox.fetchFlags(message, uid || session.qresync(), session.condStore()));
                        } else if (session.condStore() && changed.contains(each)) {
                            lines.add("* " + mailbox.sequence(each) + " FETCH ("
                                    + (uid || session.qresync() ? "UID " + each + " " : "") + "MODSEQ ("
                                    + message.modseq() + "))");
                        }
                    }
                    String text = "OK STORE completed";
                    if (!update.modified().isEmpty()) {
                        List<Long> numbers = new ArrayList<>();
                        for (Long each : new TreeSet<>(update.modified())) {
                            numbers.add(uid ? each : mailbox.sequence(each));
                        }
                        text = "OK [MODIFIED " + ResponseText.set(numbers) + "] Conditional STORE failed for some";
                    }
                    return Flux.fromIterable(lines).map(l -> (Action) Action.line(l))
                            .concatWith(session.done(tag, text, uid, unknown));
                });
    }

    /** The flags a message with {@code flags} has after a STORE of {@code mode} with {@code stored}. */
    private static Set<String> after(Set<String> flags, Mailboxes.FlagMode mode, Set<String> stored) {
        Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER); // RFC 3501 §2.3.2: keywords ignore case
        switch (mode) {
            case REPLACE -> out.addAll(stored);
            case ADD -> {
                out.addAll(flags);
                out.addAll(stored);
            }
            case REMOVE -> {
                out.addAll(flags);
                out.removeAll(stored);
            }
        }
        return out;
    }

    private static boolean same(Set<String> flags, Set<String> expected) {
        return flags.size() == expected.size() && expected.containsAll(flags);
    }

    /** A flag in its canonical spelling, or null when it is not a valid flag. */
    static @Nullable String canonicalFlag(String flag) {
        if (flag.startsWith("\\")) {
            for (String system : SelectedMailbox.SYSTEM_FLAGS) {
                if (system.equalsIgnoreCase(flag)) {
                    return system;
                }
            }
            return flag.equalsIgnoreCase("\\Recent") ? "\\Recent" : null;
        }
        return KEYWORD.matcher(flag).matches() ? flag : null;
    }
}
