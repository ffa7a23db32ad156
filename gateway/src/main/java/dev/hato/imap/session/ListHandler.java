package dev.hato.imap.session;

import dev.hato.imap.wire.ImapCommand;
import dev.hato.protocol.Action;
import dev.hato.store.directory.Account;
import dev.hato.store.mail.MailboxInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * RFC 3501 §6.3.8 LIST with RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE and RFC 5819 LIST-STATUS, and §6.3.9 LSUB.
 * Patterns are matched by {@link MailboxPattern}, linear on any input.
 */
final class ListHandler {

    private final ImapSession session;
    private final ImapServices services;
    private final ImapSettings settings;
    private final StatusHandler status;

    ListHandler(ImapSession session, StatusHandler status) {
        this.session = session;
        this.services = session.services();
        this.settings = session.settings();
        this.status = status;
    }

    Flux<Action> list(ImapCommand.ListMailboxes command) {
        return session.guarded(command.tag(), list(session.user(), command));
    }

    Flux<Action> lsub(ImapCommand.Lsub command) {
        return session.guarded(command.tag(), lsub(session.user(), command));
    }

    private Flux<Action> list(Account user, ImapCommand.ListMailboxes list) {
        String tag = list.tag();
        Set<String> selection = new HashSet<>(list.selectionOptions());
        for (String option : selection) {
            if (!Set.of("SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE").contains(option)) {
                return session.bad(tag, "Unknown LIST selection option " + option);
            }
        }
        // RFC 5258 §3: RECURSIVEMATCH alone is meaningless and an error.
        if (selection.contains("RECURSIVEMATCH") && !selection.contains("SUBSCRIBED")) {
            return session.bad(tag, "RECURSIVEMATCH needs another selection option");
        }
        boolean returnSubscribed = selection.contains("SUBSCRIBED");
        List<String> statusItems = null;
        for (ImapCommand.ReturnOption option : list.returnOptions()) {
            switch (option.name()) {
                case "SUBSCRIBED" -> returnSubscribed = true;
                case "CHILDREN", "SPECIAL-USE" -> { } // always returned
                case "STATUS" -> {
                    statusItems = option.arguments();
                    if (statusItems.isEmpty() || !StatusHandler.ITEMS.containsAll(statusItems)) {
                        return session.bad(tag, "Invalid STATUS return option");
                    }
                }
                default -> {
                    return session.bad(tag, "Unknown LIST return option " + option.name());
                }
            }
        }
        boolean extended = !list.selectionOptions().isEmpty() || !list.returnOptions().isEmpty()
                || list.patterns().size() > 1;
        // RFC 3501 §6.3.8: an empty pattern asks for the delimiter and the root.
        if (!extended && list.patterns().size() == 1 && list.patterns().get(0).isEmpty()) {
            return Flux.concat(ImapSession.line("* LIST (\\Noselect) \"/\" \"\""),
                    session.done(tag, "OK LIST completed", true));
        }
        List<MailboxPattern> patterns = MailboxPattern.compile("LIST", list.reference(), list.patterns(),
                session.utf8(), settings.maxListPatternLength(), settings.maxListWildcards());
        boolean subscribedReturn = returnSubscribed;
        List<String> items = statusItems;
        return Mono.zip(services.mailboxes().list(user.id()).collectList(),
                        services.mailboxes().subscriptions(user.id()).collect(java.util.stream.Collectors.toSet()))
                .flatMapMany(both -> {
                    Map<String, MailboxInfo> existing = new HashMap<>();
                    for (MailboxInfo info : both.getT1()) {
                        existing.put(info.name(), info);
                    }
                    Set<String> subscribed = both.getT2();
                    Set<String> withChildren = new HashSet<>();
                    Set<String> candidates = new TreeSet<>(Comparator.comparing((String n) -> !n.equals("INBOX"))
                            .thenComparing(Comparator.naturalOrder()));
                    for (String name : existing.keySet()) {
                        candidates.add(name);
                        for (String parent = MailboxNames.parent(name); !parent.isEmpty();
                                parent = MailboxNames.parent(parent)) {
                            withChildren.add(parent);
                            candidates.add(parent);
                        }
                    }
                    // Names with a subscribed descendant, and those with one that no pattern reaches.
                    Set<String> subscribedParents = new HashSet<>();
                    Set<String> unlistedSubscribedParents = new HashSet<>();
                    for (String name : subscribed) {
                        boolean listed = patterns.stream().anyMatch(p -> p.matches(name));
                        for (String parent = MailboxNames.parent(name); !parent.isEmpty();
                                parent = MailboxNames.parent(parent)) {
                            subscribedParents.add(parent);
                            if (!listed) {
                                unlistedSubscribedParents.add(parent);
                            }
                        }
                    }
                    if (selection.contains("SUBSCRIBED")) {
                        candidates.addAll(subscribed);
                        if (selection.contains("RECURSIVEMATCH")) {
                            candidates.addAll(unlistedSubscribedParents);
                        }
                    }
                    Flux<Action> out = Flux.empty();
                    for (String name : candidates) {
                        if (patterns.stream().noneMatch(p -> p.matches(name))) {
                            continue;
                        }
                        MailboxInfo info = existing.get(name);
                        boolean isSubscribed = subscribed.contains(name);
                        // RFC 5258 §3.5: CHILDINFO only with RECURSIVEMATCH. A subscribed name has it when it has a
                        // subscribed descendant, listed or not (§3.1 note 2, §5 example 9). An unsubscribed name is
                        // listed (with it) only for a subscribed descendant that no pattern reaches (§3.3 rule 2B):
                        // when every such descendant is listed anyway, its CHILDINFO would be redundant (§3.5).
                        boolean hasChildInfo = selection.contains("RECURSIVEMATCH") && (isSubscribed
                                ? subscribedParents.contains(name) : unlistedSubscribedParents.contains(name));
                        String childInfo = hasChildInfo ? " (\"CHILDINFO\" (\"SUBSCRIBED\"))" : "";
                        if (selection.contains("SUBSCRIBED") && !isSubscribed && childInfo.isEmpty()) {
                            continue;
                        }
                        if (selection.contains("SPECIAL-USE") && (info == null || info.specialUse() == null)) {
                            continue;
                        }
                        List<String> attributes = attributes(info, withChildren.contains(name));
                        if (subscribedReturn && isSubscribed) {
                            attributes.add("\\Subscribed");
                        }
                        out = out.concatWith(ImapSession.line("* LIST " + ResponseText.flags(attributes) + " \"/\" "
                                + MailboxNames.toWire(name, session.utf8()) + childInfo));
                        if (items != null && info != null) {
                            // RFC 5819 §2: each STATUS follows the LIST of its mailbox.
                            out = out.concatWith(Flux.defer(() -> status.statusLine(user, info, items)));
                        }
                    }
                    return out.concatWith(session.done(tag, "OK LIST completed", true));
                });
    }

    /**
     * A name's attributes as LIST gives them without return options: a level that only exists through its inferiors
     * is \Noselect (RFC 3501 §6.3.8), a subscribed name without a mailbox \NonExistent (RFC 5258 §3); always
     * \HasChildren or \HasNoChildren, and the RFC 6154 special use.
     */
    private static List<String> attributes(@Nullable MailboxInfo info, boolean hasChildren) {
        List<String> attributes = new ArrayList<>();
        if (info == null) {
            attributes.add(hasChildren ? "\\Noselect" : "\\NonExistent");
        }
        attributes.add(hasChildren ? "\\HasChildren" : "\\HasNoChildren");
        if (info != null && info.specialUse() != null) {
            attributes.add(info.specialUse());
        }
        return attributes;
    }

    /**
     * RFC 9051 §6.3.2: an IMAP4rev2 SELECT or EXAMINE sends a LIST response for its mailbox, with accurate attributes:
     * those a LIST of its name gives.
     */
    static Flux<Action> selectedList(ImapSession session, Account user, MailboxInfo info) {
        String inferiors = info.name() + MailboxNames.DELIMITER;
        return session.services().mailboxes().list(user.id())
                .any(other -> other.name().startsWith(inferiors))
                .map(hasChildren -> (Action) Action.line("* LIST " + ResponseText.flags(attributes(info, hasChildren))
                        + " \"/\" " + MailboxNames.toWire(info.name(), session.utf8())))
                .flux();
    }

    private Flux<Action> lsub(Account user, ImapCommand.Lsub lsub) {
        MailboxPattern pattern = MailboxPattern.compile("LSUB", lsub.reference(), List.of(lsub.pattern()),
                session.utf8(), settings.maxListPatternLength(), settings.maxListWildcards()).get(0);
        return Mono.zip(services.mailboxes().list(user.id()).map(MailboxInfo::name).collectList(),
                        services.mailboxes().subscriptions(user.id()).collectList())
                .flatMapMany(both -> {
                    Set<String> existing = new HashSet<>(both.getT1());
                    Set<String> subscribed = new HashSet<>(both.getT2());
                    // Name -> whether it is listed \Noselect.
                    Map<String, Boolean> listed = new TreeMap<>();
                    for (String name : subscribed) {
                        if (pattern.matches(name)) {
                            listed.put(name, !existing.contains(name));
                            continue;
                        }
                        // RFC 3501 §6.3.9: "foo/bar" subscribed, "foo" not, and "%" stops at "foo": LSUB returns
                        // "foo" flagged \Noselect (here: not subscribed, listed for its subscribed inferior).
                        for (String parent = MailboxNames.parent(name); !parent.isEmpty();
                                parent = MailboxNames.parent(parent)) {
                            if (!subscribed.contains(parent) && pattern.matches(parent)) {
                                listed.put(parent, true);
                            }
                        }
                    }
                    List<String> lines = new ArrayList<>();
                    listed.forEach((name, noselect) -> lines.add("* LSUB (" + (noselect ? "\\Noselect" : "")
                            + ") \"/\" " + MailboxNames.toWire(name, session.utf8())));
                    return Flux.fromIterable(lines).map(Action::line)
                            .cast(Action.class)
                            .concatWith(session.done(lsub.tag(), "OK LSUB completed", true));
                });
    }
}
