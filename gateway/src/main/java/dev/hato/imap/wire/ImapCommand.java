package dev.hato.imap.wire;

import java.time.OffsetDateTime;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One parsed IMAP command (RFC 3501 §6, RFC 9051 where compatible, and the extensions named on each record). Mailbox
 * names are kept as sent (modified UTF-7 is decoded by {@link ModifiedUtf7} where the session wants it). A syntax
 * error is an {@link Invalid}, which the session answers with {@code tag BAD}.
 */
public sealed interface ImapCommand {

    /** The command's tag; {@code *} for an {@link Invalid} line without a usable tag. */
    String tag();

    record Invalid(String tag, String text) implements ImapCommand {
    }

    record Capability(String tag) implements ImapCommand {
    }

    record Noop(String tag) implements ImapCommand {
    }

    record Logout(String tag) implements ImapCommand {
    }

    record StartTls(String tag) implements ImapCommand {
    }

    /** RFC 3501 §6.2.2, with RFC 4959 SASL-IR: {@code "="} is an empty initial response, absent is none. */
    record Authenticate(String tag, String mechanism, @Nullable String initialResponse) implements ImapCommand {
    }

    record Login(String tag, String userid, String password) implements ImapCommand {
        @Override
        public String toString() {
            return "Login[tag=" + tag + ", userid=" + userid + ", password=***]";
        }
    }

    /**
     * SELECT, or EXAMINE when {@code readOnly}; RFC 7162 §3.1.8 {@code (CONDSTORE)} and §3.2.5 {@code (QRESYNC (...))}.
     */
    record Select(String tag, String mailbox, boolean readOnly, boolean condStore, @Nullable QResync qresync)
            implements ImapCommand {

        public Select(String tag, String mailbox, boolean readOnly, boolean condStore) {
            this(tag, mailbox, readOnly, condStore, null);
        }
    }

    /**
     * RFC 7162 §3.2.5 QRESYNC select parameter: what the client last knew. {@code knownUids} is null when not given;
     * {@code sequenceMatch} and {@code uidMatch} are both null or both set (the RFC's seq-match-data).
     */
    record QResync(long uidValidity, long modseq, @Nullable SequenceSet knownUids,
            @Nullable SequenceSet sequenceMatch, @Nullable SequenceSet uidMatch) {
        public QResync {
            if ((sequenceMatch == null) != (uidMatch == null)) {
                throw new IllegalArgumentException("sequence and UID match sets come together");
            }
        }
    }

    /** RFC 9208 §4.2 GETQUOTA. */
    record GetQuota(String tag, String root) implements ImapCommand {
    }

    /** RFC 9208 §4.3 GETQUOTAROOT. */
    record GetQuotaRoot(String tag, String mailbox) implements ImapCommand {
    }

    /** RFC 9208 §4.1 SETQUOTA; the resource list is kept as sent (the session refuses it for users). */
    record SetQuota(String tag, String root, List<String> resources) implements ImapCommand {
        public SetQuota {
            resources = List.copyOf(resources);
        }
    }

    /** RFC 4978 COMPRESS. */
    record Compress(String tag, String mechanism) implements ImapCommand {
    }

    record Create(String tag, String mailbox) implements ImapCommand {
    }

    record Delete(String tag, String mailbox) implements ImapCommand {
    }

    record Rename(String tag, String from, String to) implements ImapCommand {
    }

    /** SUBSCRIBE, or UNSUBSCRIBE when not {@code subscribe}. */
    record Subscribe(String tag, String mailbox, boolean subscribe) implements ImapCommand {
    }

    /** RFC 5258 LIST-EXTENDED return option, e.g. {@code STATUS (MESSAGES UNSEEN)} (RFC 5819). */
    record ReturnOption(String name, List<String> arguments) {
        public ReturnOption {
            arguments = List.copyOf(arguments);
        }
    }

    /** RFC 3501 §6.3.8 LIST with RFC 5258 selection options, multiple patterns and return options. */
    record ListMailboxes(String tag, List<String> selectionOptions, String reference, List<String> patterns,
            List<ReturnOption> returnOptions) implements ImapCommand {
        public ListMailboxes {
            selectionOptions = List.copyOf(selectionOptions);
            patterns = List.copyOf(patterns);
            returnOptions = List.copyOf(returnOptions);
        }
    }

    record Lsub(String tag, String reference, String pattern) implements ImapCommand {
    }

    record Status(String tag, String mailbox, List<String> items) implements ImapCommand {
        public Status {
            items = List.copyOf(items);
        }
    }

    /**
     * RFC 3501 §6.3.11 with RFC 3502 MULTIAPPEND: one or more messages, appended all or none. Each message is the
     * literal at its {@code literalIndex} among the line's literals; the session streamed it, so only its size is here.
     */
    record Append(String tag, String mailbox, List<Message> messages) implements ImapCommand {
        public Append {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("an APPEND carries at least one message");
            }
        }

        /** An APPEND of one message. */
        public Append(String tag, String mailbox, List<String> flags, @Nullable OffsetDateTime internalDate,
                long messageSize, int literalIndex) {
            this(tag, mailbox, List.of(new Message(flags, internalDate, messageSize, literalIndex)));
        }

        /** RFC 3502 append-message: [SP flag-list] [SP date-time] SP literal (or an RFC 3516 / RFC 6855 literal8). */
        public record Message(List<String> flags, @Nullable OffsetDateTime internalDate, long size,
                int literalIndex) {
            public Message {
                flags = List.copyOf(flags);
            }
        }
    }

    record Check(String tag) implements ImapCommand {
    }

    record Close(String tag) implements ImapCommand {
    }

    record Unselect(String tag) implements ImapCommand {
    }

    record Expunge(String tag) implements ImapCommand {
    }

    /** RFC 4315 §2.1 UID EXPUNGE. */
    record UidExpunge(String tag, SequenceSet set) implements ImapCommand {
    }

    /**
     * RFC 3501 §6.4.4, with RFC 4731 ESEARCH return options (MIN, MAX, ALL, COUNT) and RFC 5182 SAVE, upper case.
     * Empty when the command had no RETURN; {@code RETURN ()} is {@code [ALL]} (RFC 4731 §3.1).
     */
    record Search(String tag, boolean uid, @Nullable String charset, List<String> returnOptions, SearchKey key)
            implements ImapCommand {
        public Search {
            returnOptions = List.copyOf(returnOptions);
        }
    }

    /** RFC 5256 §3 sort-key, and RFC 5957 DISPLAYFROM and DISPLAYTO. */
    enum SortKey { ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, DISPLAYTO }

    /** RFC 5256 §3 sort-criterion: a key, in reverse order when {@code reverse}. */
    record SortCriterion(SortKey key, boolean reverse) {
    }

    /**
     * RFC 5256 §3 SORT (and UID SORT). The charset is mandatory in SORT; the session checks it as for SEARCH.
     */
    record Sort(String tag, boolean uid, List<SortCriterion> criteria, String charset, SearchKey key)
            implements ImapCommand {
        public Sort {
            criteria = List.copyOf(criteria);
            if (criteria.isEmpty()) {
                throw new IllegalArgumentException("SORT needs at least one criterion");
            }
        }
    }

    /** RFC 5256 §3 thread algorithms, each advertised as {@code THREAD=<name>}. */
    enum ThreadAlgorithm { ORDEREDSUBJECT, REFERENCES }

    /** RFC 5256 §3 THREAD (and UID THREAD). */
    record Thread(String tag, boolean uid, ThreadAlgorithm algorithm, String charset, SearchKey key)
            implements ImapCommand {
    }

    /** RFC 3501 §6.4.5, with RFC 7162 CHANGEDSINCE and VANISHED modifiers. */
    record Fetch(String tag, boolean uid, SequenceSet set, List<FetchAttribute> attributes,
            @Nullable Long changedSince, boolean vanished) implements ImapCommand {
        public Fetch {
            attributes = List.copyOf(attributes);
        }
    }

    /** FLAGS replaces, +FLAGS adds, -FLAGS removes. */
    enum StoreMode { REPLACE, ADD, REMOVE }

    /** RFC 3501 §6.4.6, with RFC 7162 UNCHANGEDSINCE. */
    record Store(String tag, boolean uid, SequenceSet set, @Nullable Long unchangedSince, StoreMode mode,
            boolean silent, List<String> flags) implements ImapCommand {
        public Store {
            flags = List.copyOf(flags);
        }
    }

    /** COPY, or RFC 6851 MOVE when {@code move}. */
    record Copy(String tag, boolean uid, SequenceSet set, String mailbox, boolean move) implements ImapCommand {
    }

    record Idle(String tag) implements ImapCommand {
    }

    /** RFC 5161. */
    record Enable(String tag, List<String> capabilities) implements ImapCommand {
        public Enable {
            capabilities = List.copyOf(capabilities);
        }
    }

    /** RFC 2971: {@code NIL} is an empty map; values may be NIL. Insertion order is kept. */
    record Id(String tag, Map<String, @Nullable String> parameters) implements ImapCommand {
        public Id {
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
    }

    /** RFC 2342. */
    record Namespace(String tag) implements ImapCommand {
    }
}
