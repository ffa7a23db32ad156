package dev.hato.sieve;

import dev.hato.message.AsciiCasemap;
import dev.hato.message.SentDate;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Runs a {@link CompiledScript} for one message and recipient within a {@link Budget}. Actions are collected and
 * returned, never carried out here; the implicit keep (RFC 5228 §2.10.2) is added when no action cancelled it. A
 * mailbox is stored into once however often the script names it (§2.10.3), and a script that takes more than
 * {@link #MAX_ACTIONS} actions or {@link #MAX_REDIRECTS} redirects fails, as one that spends its budget does: the
 * message is then kept (§2.10.6). Immutable and thread-safe: one per server.
 */
public final class SieveInterpreter {

    /** Pigeonhole's default {@code sieve_max_actions}. */
    public static final int MAX_ACTIONS = 32;

    /** Pigeonhole's default {@code sieve_max_redirects}. */
    public static final int MAX_REDIRECTS = 4;

    private final String separator;
    private final Clock clock;

    /**
     * @param subaddressSeparator what separates user and detail for {@code :user}/{@code :detail} (RFC 5233)
     * @param clock               the time of {@code currentdate}, and the server's zone for date tests without
     *                            {@code :zone} (RFC 5260 §4.1)
     */
    public SieveInterpreter(String subaddressSeparator, Clock clock) {
        this.separator = subaddressSeparator;
        this.clock = clock;
    }

    /**
     * @param mailboxes the recipient's mailboxes that take deliveries, for {@code mailboxexists} (RFC 5490 §3.2);
     *                  the INBOX always does
     */
    public Outcome evaluate(CompiledScript script, SieveMessage message, Predicate<String> mailboxes, Budget budget) {
        Run run = new Run(message, budget, separator, clock, mailboxes,
                script.capabilities().contains("variables") ? new Variables() : null);
        try {
            run.block(script.nodes());
        } catch (Budget.Exhausted e) {
            return Outcome.failed(e.getMessage());
        } catch (Failure e) {
            return Outcome.failed(e.getMessage());
        } catch (RuntimeException unexpected) {
            // A defect of the engine met by some message must not lose it: the message is kept (RFC 5228 §2.10.6).
            return Outcome.failed("the engine failed: " + unexpected);
        }
        return run.outcome();
    }

    /** A run-time error: the script's actions are dropped and the message kept. */
    private static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Run {
        private final SieveMessage message;
        private final Budget budget;
        private final String separator;
        private final Clock clock;
        private final Predicate<String> mailboxExists;
        private final @Nullable Variables variables;
        /** Mailboxes a fileinto asked to create (RFC 5490 §3.1). */
        private final Set<String> create = new java.util.HashSet<>();
        /** The mailboxes stored into, in order, each with the flags of its last fileinto. */
        private final Map<String, List<String>> mailboxes = new LinkedHashMap<>();
        /** imap4flags' internal variable (RFC 5232 §3). */
        private final Flags flags = new Flags();
        private @Nullable List<String> keptFlags;
        private Node.@Nullable Reject rejected;
        private Node.@Nullable Vacation vacation;
            /**
         * By the address with its domain lower-cased (a local part is case-sensitive, RFC 5321 §2.4, and Pigeonhole
         * redirects to "A@x" and "a@x" both), the address as the script wrote it first.
         */
        private final Map<String, String> redirects = new LinkedHashMap<>();
        private boolean kept;
        private boolean implicitKeep = true;
        private int actions;

        Run(SieveMessage message, Budget budget, String separator, Clock clock, Predicate<String> mailboxExists,
            @Nullable Variables variables) {
            this.message = message;
            this.budget = budget;
            this.separator = separator;
            this.clock = clock;
            this.mailboxExists = mailboxExists;
            this.variables = variables;
        }

        /** The string with its variables expanded, when the script requires "variables" (RFC 5229 §3). */
        private String x(String text) {
            return variables == null ? text : variables.expand(text, budget);
        }

        private List<String> x(List<String> texts) {
            return variables == null ? texts : variables.expand(texts, budget);
        }

        /** The match with its keys expanded, and compiled now when they held variables. */
        private Match ready(Match match) {
            if (variables == null || !match.isLate()) {
                return match;
            }
            try {
                return match.expanded(x(match.keys()));
            } catch (IllegalArgumentException e) {
                throw new Failure(e.getMessage());
            }
        }

        private boolean test(Match match, List<String> values) {
            return ready(match).test(values, budget, variables == null ? null : variables::matched);
        }

        /** Runs the nodes in order; true when {@code stop} ended the script. */
        boolean block(List<Node> nodes) {
            for (Node node : nodes) {
                budget.spend(1);
                if (node instanceof Node.If branches) {
                    List<Node> chosen = branches.otherwise();
                    for (Node.Branch branch : branches.branches()) {
                        if (test(branch.condition())) {
                            chosen = branch.block();
                            break;
                        }
                    }
                    if (chosen != null && block(chosen)) {
                        return true;
                    }
                } else if (node instanceof Node.Stop) {
                    return true;
                } else if (node instanceof Node.Set set) {
                    variables.set(set.name(), modified(x(set.value()), set.modifiers()));
                } else if (node instanceof Node.Reject reject) {
                    count();
                    if (rejected != null) {
                        throw new Failure("a second reject at " + reject.at() + " (the first at " + rejected.at() + ")");
                    }
                    if (kept || !mailboxes.isEmpty() || !redirects.isEmpty()) {
                        throw new Failure("reject at " + reject.at() + " after an action that delivers the message");
                    }
                    if (vacation != null) {
                        throw new Failure("reject at " + reject.at() + " after vacation, which answers the sender too");
                    }
                    rejected = new Node.Reject(x(reject.reason()), reject.extended(), reject.at());
                    implicitKeep = false;
                } else if (node instanceof Node.Vacation answer) {
                    count();
                    if (vacation != null) {
                        throw new Failure("a second vacation at " + answer.at() + " (the first at " + vacation.at() + ")");
                    }
                    if (rejected != null) {
                        throw new Failure("vacation at " + answer.at() + " after reject, which answers the sender too");
                    }
                    vacation = new Node.Vacation(x(answer.reason()), answer.subject() == null ? null
                            : x(answer.subject()), answer.from() == null ? null : x(answer.from()),
                            x(answer.addresses()), answer.mime(),
                            answer.handleGiven() ? x(answer.handle()) : answer.handle(), true,
                            answer.periodSeconds(), answer.at());
                } else if (node instanceof Node.Keep keep) {
                    delivers(node);
                    countUnless(kept);
                    kept = true;
                    keptFlags = flagsOf(keep.flags());
                } else if (node instanceof Node.Discard) {
                    implicitKeep = false;
                } else if (node instanceof Node.FileInto written) {
                    delivers(node);
                    Node.FileInto fileInto = new Node.FileInto(x(written.mailbox()), written.copy(), written.flags(),
                            written.create(), written.at());
                    if (fileInto.mailbox().isEmpty()) {
                        throw new Failure("fileinto at " + fileInto.at() + " names no mailbox");
                    }
                    if (isInbox(fileInto.mailbox())) {
                        countUnless(kept);
                        kept = true;
                        keptFlags = flagsOf(fileInto.flags());
                    } else {
                        countUnless(mailboxes.containsKey(fileInto.mailbox()));
                        // a repeated fileinto keeps the first one's :create and takes the last one's flags, as Pigeonhole
                        if (mailboxes.put(fileInto.mailbox(), flagsOf(fileInto.flags())) == null && fileInto.create()) {
                            create.add(fileInto.mailbox());
                        }
                    }
                    implicitKeep &= fileInto.copy();
                } else if (node instanceof Node.Flags change) {
                    Flags target = flags;
                    if (change.variable() != null) {
                        target = new Flags();
                        target.set(List.of(variables.get(change.variable())));
                    }
                    switch (change.operation()) {
                        case SET -> target.set(x(change.flags()));
                        case ADD -> target.add(x(change.flags()));
                        case REMOVE -> target.remove(x(change.flags()));
                    }
                    if (change.variable() != null) {
                        variables.set(change.variable(), String.join(" ", target.list()));
                    }
                } else if (node instanceof Node.Redirect written) {
                    delivers(node);
                    Node.Redirect redirect = new Node.Redirect(x(written.address()), written.copy(), written.at());
                    if (!Addresses.isMailbox(redirect.address())) {
                        throw new Failure("redirect at " + redirect.at() + " to '" + redirect.address()
                                + "', which is not an address");
                    }
                    boolean known = redirects.containsKey(sameAddress(redirect.address()));
                    countUnless(known);
                    if (!known) {
                        redirects.put(sameAddress(redirect.address()), redirect.address());
                        if (redirects.size() > MAX_REDIRECTS) {
                            throw new Failure("more than " + MAX_REDIRECTS + " redirects");
                        }
                    }
                    implicitKeep &= redirect.copy();
                }
            }
            return false;
        }

        /** The flags an action names with {@code :flags}, else the current ones (RFC 5232 §5). */
        private List<String> flagsOf(@Nullable List<String> named) {
            return named != null ? Flags.parse(x(named)) : flags.list();
        }

        /** RFC 5429 §2.1, §2.2: once rejected, nothing may deliver the message (a run-time error, as Pigeonhole has it). */
        private void delivers(Node node) {
            if (rejected != null) {
                throw new Failure("an action at " + node.at() + " would deliver a message rejected at "
                        + rejected.at());
            }
        }

        /** Counts an action unless it repeats one already taken: repeats are merged, as Pigeonhole merges them. */
        private void countUnless(boolean repeated) {
            if (!repeated) {
                count();
            }
        }

        private void count() {
            if (++actions > MAX_ACTIONS) {
                throw new Failure("more than " + MAX_ACTIONS + " actions");
            }
        }

        boolean test(Condition condition) {
            budget.spend(1);
            if (condition instanceof Condition.True) {
                return true;
            }
            if (condition instanceof Condition.False) {
                return false;
            }
            if (condition instanceof Condition.Not not) {
                return !test(not.test());
            }
            if (condition instanceof Condition.Combined combined) {
                for (Condition test : combined.tests()) {
                    if (test(test) != combined.all()) {
                        return !combined.all();
                    }
                }
                return combined.all();
            }
            if (condition instanceof Condition.MailboxExists exists) {
                return x(exists.mailboxes()).stream().allMatch(name -> isInbox(name) || mailboxExists.test(name));
            }
            if (condition instanceof Condition.HasFlag hasFlag) {
                List<String> values = flags.list();
                if (!hasFlag.variables().isEmpty()) {
                    Flags named = new Flags();
                    named.set(hasFlag.variables().stream().map(variables::get).toList());
                    values = named.list();
                }
                Match match = hasFlag.match();
                if (variables != null && match.isLate()) {
                    // the keys are lists of flags once expanded, as they are when written out (RFC 5232 §4)
                    try {
                        match = match.expanded(Conditions.splitFlags(x(match.keys())));
                    } catch (IllegalArgumentException e) {
                        throw new Failure(e.getMessage());
                    }
                }
                return test(match, values);
            }
            if (condition instanceof Condition.Body body) {
                List<String> values = message.body(body.raw(), x(body.types()), body.text());
                budget.spend(values.stream().mapToLong(String::length).sum() / 64);
                return test(body.match(), values);
            }
            if (condition instanceof Condition.StringTest string) {
                List<String> sources = x(string.sources());
                // RFC 5229 §5: :count counts the source strings that are not empty
                return test(string.match(), string.match().type() == Match.Type.COUNT
                        ? sources.stream().filter(source -> !source.isEmpty()).toList() : sources);
            }
            if (condition instanceof Condition.Exists exists) {
                return x(exists.headers()).stream().allMatch(name -> !message.header(name).isEmpty());
            }
            if (condition instanceof Condition.Size size) {
                int order = Long.compareUnsigned(message.size(), size.limit());
                return size.over() ? order > 0 : order < 0;
            }
            if (condition instanceof Condition.Header header) {
                List<String> values = new ArrayList<>();
                x(header.headers()).forEach(name -> values.addAll(occurrences(message.header(name), header.index())));
                return test(header.match(), values);
            }
            if (condition instanceof Condition.Address address) {
                List<String> values = new ArrayList<>();
                for (String name : x(address.headers())) {
                    for (List<String> field : occurrences(message.addresses(name), address.index())) {
                        field.forEach(value -> addPart(values, address.part(), value));
                    }
                }
                return test(address.match(), values);
            }
            if (condition instanceof Condition.Date date) {
                // RFC 5260 §4: the first occurrence of the field, as Pigeonhole reads it, unless :index names one
                List<String> fields = message.header(x(date.header()));
                List<String> chosen = date.index() == null ? (fields.isEmpty() ? fields : fields.subList(0, 1))
                        : date.index().select(fields);
                OffsetDateTime written = chosen.isEmpty() ? null : SentDate.written(dateOf(date, chosen.get(0)));
                OffsetDateTime zoned = written == null ? null : inZone(written, date.zone());
                String part = zoned == null ? null : DatePart.of(zoned, x(date.part()));
                return part != null && test(date.match(), List.of(part));
            }
            if (condition instanceof Condition.CurrentDate now) {
                OffsetDateTime zoned = inZone(OffsetDateTime.now(clock), now.zone());
                String part = zoned == null ? null : DatePart.of(zoned, x(now.part()));
                return part != null && test(now.match(), List.of(part));
            }
            Condition.Envelope envelope = (Condition.Envelope) condition;
            List<String> values = new ArrayList<>();
            for (String part : envelope.parts()) {
                String value = part.equals("from") ? message.envelopeFrom() : message.envelopeTo();
                if (value.isEmpty()) {
                    values.add(""); // RFC 5228 §5.4: the null reverse-path is the empty string, whatever the part
                } else {
                    addPart(values, envelope.part(), value);
                }
            }
            return test(envelope.match(), values);
        }

        /** RFC 5229 §4.1: the modifiers in precedence order; case changes are ASCII-only, as Pigeonhole's. */
        private static String modified(String value, List<Node.Set.Modifier> modifiers) {
            String result = value;
            for (Node.Set.Modifier modifier : modifiers) {
                result = switch (modifier) {
                    case LOWER -> AsciiCasemap.lower(result);
                    case UPPER -> AsciiCasemap.upper(result);
                    case LOWERFIRST -> result.isEmpty() ? result : AsciiCasemap.lower(result.substring(0, 1))
                            + result.substring(1);
                    case UPPERFIRST -> result.isEmpty() ? result : AsciiCasemap.upper(result.substring(0, 1))
                            + result.substring(1);
                    case QUOTEWILDCARD -> result.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?");
                    case LENGTH -> Integer.toString(result.codePointCount(0, result.length()));
                };
            }
            return result;
        }

        /** RFC 5260 §4: a Received field's date is what follows its last ";". */
        private String dateOf(Condition.Date date, String value) {
            if (!x(date.header()).equalsIgnoreCase("received")) {
                return value;
            }
            int semicolon = value.lastIndexOf(';');
            return semicolon < 0 ? value : value.substring(semicolon + 1);
        }

        private static <T> List<T> occurrences(List<T> fields, Condition.@Nullable Index index) {
            return index == null ? fields : index.select(fields);
        }

        private @Nullable OffsetDateTime inZone(OffsetDateTime time, Condition.Zone zone) {
            if (zone.original()) {
                return time;
            }
            ZoneOffset offset = zone.offset() != null ? zone.offset()
                    : clock.getZone().getRules().getOffset(time.toInstant());
            try {
                return time.withOffsetSameInstant(offset);
            } catch (java.time.DateTimeException outOfRange) {
                return null; // a date at the end of time cannot be moved into another zone: the test is false
            }
        }

        /** Adds the part of the address, unless it has none (a {@code :detail} without separator). */
        private void addPart(List<String> values, AddressPart part, String address) {
            String value = part.of(address, separator);
            if (value != null) {
                values.add(value);
            }
        }

        Outcome outcome() {
            if (rejected != null) {
                return new Outcome(List.of(new Action.Reject(rejected.reason(), rejected.extended())), null);
            }
            List<Action> result = new ArrayList<>();
            if (kept) {
                result.add(new Action.Keep(keptFlags == null ? List.of() : keptFlags));
            } else if (implicitKeep) {
                result.add(new Action.Keep(flags.list())); // RFC 5232 §3: the implicit keep takes the flags at the end
            }
            mailboxes.forEach((mailbox, stored) -> result.add(new Action.FileInto(mailbox, stored,
                    create.contains(mailbox))));
            if (vacation != null) {
                result.add(new Action.Vacation(vacation.reason(), vacation.subject(), vacation.from(),
                        vacation.addresses(), vacation.mime(), vacation.handle(), vacation.periodSeconds()));
            }
            redirects.values().forEach(address -> result.add(new Action.Redirect(address)));
            return new Outcome(result.isEmpty() ? List.of(new Action.Discard()) : result, null);
        }

        private static String sameAddress(String address) {
            int at = address.lastIndexOf('@');
            return address.substring(0, at + 1) + address.substring(at + 1).toLowerCase(Locale.ROOT);
        }

        private static boolean isInbox(String mailbox) {
            return mailbox.equalsIgnoreCase("INBOX");
        }
    }
}
