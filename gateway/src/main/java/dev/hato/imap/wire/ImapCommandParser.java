package dev.hato.imap.wire;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns one complete frame from {@link ImapFramer} into an {@link ImapCommand}, following the ABNF of RFC 3501 §9
 * (and RFC 9051 where compatible). A syntax error is an {@link ImapCommand.Invalid}, never an exception to the
 * caller. Stateless apart from its limit, so one instance can serve every connection.
 *
 * <p>The frame's line still holds each literal's announcement ({@code {n}} / {@code {n+}}); the literal contents are
 * passed alongside, in line order. The APPEND message literal is only counted (the session streamed it elsewhere),
 * so its entry may be empty.
 */
public final class ImapCommandParser {

    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
        "nov", "dec"};

    private final int maxNestingDepth;

    /** @param maxNestingDepth how deep parenthesised lists and NOT/OR may nest in one command */
    public ImapCommandParser(int maxNestingDepth) {
        if (maxNestingDepth < 1) {
            throw new IllegalArgumentException("maxNestingDepth out of range: " + maxNestingDepth);
        }
        this.maxNestingDepth = maxNestingDepth;
    }

    /** Parses a line without literals. */
    public ImapCommand parse(byte[] line) {
        return parse(line, List.of());
    }

    public ImapCommand parse(byte[] line, List<byte[]> literals) {
        Cursor c = new Cursor(line, literals, maxNestingDepth);
        String tag = c.tag();
        if (tag == null || !(c.atEnd() || c.peek() == ' ')) {
            return new ImapCommand.Invalid("*", "Missing or invalid tag");
        }
        try {
            if (!c.sp()) {
                throw new SyntaxError("Missing command");
            }
            ImapCommand command = command(c, tag, c.atom().toUpperCase(Locale.ROOT));
            if (!c.atEnd()) {
                throw new SyntaxError("Unexpected characters at end of command");
            }
            if (c.literal != literals.size()) {
                throw new SyntaxError("Literal count does not match the line");
            }
            return command;
        } catch (SyntaxError e) {
            return new ImapCommand.Invalid(tag, e.getMessage());
        } catch (IllegalArgumentException | DateTimeException e) {
            return new ImapCommand.Invalid(tag, "Invalid argument: " + e.getMessage());
        }
    }

    private static ImapCommand command(Cursor c, String tag, String name) {
        return switch (name) {
            case "CAPABILITY" -> new ImapCommand.Capability(tag);
            case "NOOP" -> new ImapCommand.Noop(tag);
            case "LOGOUT" -> new ImapCommand.Logout(tag);
            case "STARTTLS" -> new ImapCommand.StartTls(tag);
            case "CHECK" -> new ImapCommand.Check(tag);
            case "CLOSE" -> new ImapCommand.Close(tag);
            case "UNSELECT" -> new ImapCommand.Unselect(tag);
            case "EXPUNGE" -> new ImapCommand.Expunge(tag);
            case "IDLE" -> new ImapCommand.Idle(tag);
            case "NAMESPACE" -> new ImapCommand.Namespace(tag);
            case "AUTHENTICATE" -> authenticate(c, tag);
            case "LOGIN" -> {
                c.requireSp();
                String user = c.astring();
                c.requireSp();
                yield new ImapCommand.Login(tag, user, c.astring());
            }
            case "SELECT", "EXAMINE" -> {
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
                            throw new SyntaxError("Unknown select parameter " + param);
                        }
                    } while (c.sp());
                    c.close();
                }
                yield new ImapCommand.Select(tag, mailbox, name.equals("EXAMINE"), condStore, qresync);
            }
            case "CREATE" -> new ImapCommand.Create(tag, c.spAstring());
            case "DELETE" -> new ImapCommand.Delete(tag, c.spAstring());
            case "RENAME" -> {
                String from = c.spAstring();
                yield new ImapCommand.Rename(tag, from, c.spAstring());
            }
            case "SUBSCRIBE" -> new ImapCommand.Subscribe(tag, c.spAstring(), true);
            case "UNSUBSCRIBE" -> new ImapCommand.Subscribe(tag, c.spAstring(), false);
            case "LIST" -> list(c, tag);
            case "LSUB" -> {
                String reference = c.spAstring();
                c.requireSp();
                yield new ImapCommand.Lsub(tag, reference, c.listMailbox());
            }
            case "STATUS" -> {
                String mailbox = c.spAstring();
                c.requireSp();
                List<String> items = c.atomList();
                if (items.isEmpty()) {
                    throw new SyntaxError("STATUS needs at least one item");
                }
                yield new ImapCommand.Status(tag, mailbox, upper(items));
            }
            case "APPEND" -> append(c, tag);
            case "SEARCH" -> search(c, tag, false);
            case "SORT" -> sort(c, tag, false);
            case "THREAD" -> thread(c, tag, false);
            case "FETCH" -> fetch(c, tag, false);
            case "STORE" -> store(c, tag, false);
            case "COPY" -> copy(c, tag, false, false);
            case "MOVE" -> copy(c, tag, false, true);
            case "UID" -> {
                c.requireSp();
                String sub = c.atom().toUpperCase(Locale.ROOT);
                yield switch (sub) {
                    case "SEARCH" -> search(c, tag, true);
                    case "SORT" -> sort(c, tag, true);
                    case "THREAD" -> thread(c, tag, true);
                    case "FETCH" -> fetch(c, tag, true);
                    case "STORE" -> store(c, tag, true);
                    case "COPY" -> copy(c, tag, true, false);
                    case "MOVE" -> copy(c, tag, true, true);
                    case "EXPUNGE" -> {
                        c.requireSp();
                        yield new ImapCommand.UidExpunge(tag, c.sequenceSet());
                    }
                    default -> throw new SyntaxError("Unknown UID command " + sub);
                };
            }
            case "ENABLE" -> {
                List<String> capabilities = new ArrayList<>();
                while (c.sp()) {
                    capabilities.add(c.atom().toUpperCase(Locale.ROOT));
                }
                if (capabilities.isEmpty()) {
                    throw new SyntaxError("ENABLE needs a capability");
                }
                yield new ImapCommand.Enable(tag, capabilities);
            }
            case "ID" -> id(c, tag);
            case "GETQUOTA" -> new ImapCommand.GetQuota(tag, c.spAstring());
            case "GETQUOTAROOT" -> new ImapCommand.GetQuotaRoot(tag, c.spAstring());
            case "SETQUOTA" -> {
                String root = c.spAstring();
                c.requireSp();
                yield new ImapCommand.SetQuota(tag, root, upper(c.atomList()));
            }
            case "COMPRESS" -> {
                c.requireSp();
                yield new ImapCommand.Compress(tag, c.atom().toUpperCase(Locale.ROOT));
            }
            default -> throw new SyntaxError("Unknown command " + name);
        };
    }

    /** RFC 7162 §3.2.5: {@code (uidvalidity mod-sequence-value [SP known-uids] [SP seq-match-data])}. */
    private static ImapCommand.QResync qresync(Cursor c) {
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

    private static ImapCommand authenticate(Cursor c, String tag) {
        c.requireSp();
        String mechanism = c.atom().toUpperCase(Locale.ROOT);
        String initial = null;
        if (c.sp()) {
            // RFC 4959 §3: initial-resp = base64 / "="
            initial = c.takeWhile(b -> isBase64(b) || b == '=');
            if (initial.isEmpty() || (initial.contains("=") && !initial.equals("=") && !validPadding(initial))) {
                throw new SyntaxError("Invalid initial response");
            }
        }
        return new ImapCommand.Authenticate(tag, mechanism, initial);
    }

    private static ImapCommand list(Cursor c, String tag) {
        c.requireSp();
        List<String> selection = List.of();
        if (c.peek() == '(') {
            // RFC 5258 §3 list-select-opts
            selection = upper(c.atomList());
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
                throw new SyntaxError("Expected RETURN");
            }
            c.requireSp();
            c.open();
            if (c.peek() != ')') {
                do {
                    String option = c.atom().toUpperCase(Locale.ROOT);
                    List<String> arguments = List.of();
                    if (c.peek() == ' ' && c.peekAt(1) == '(') {
                        c.sp();
                        arguments = upper(c.atomList());
                    }
                    returns.add(new ImapCommand.ReturnOption(option, arguments));
                } while (c.sp());
            }
            c.close();
        }
        return new ImapCommand.ListMailboxes(tag, selection, reference, patterns, returns);
    }

    private static ImapCommand append(Cursor c, String tag) {
        String mailbox = c.spAstring();
        c.requireSp();
        List<String> flags = List.of();
        if (c.peek() == '(') {
            flags = c.flagList();
            c.requireSp();
        }
        OffsetDateTime date = null;
        if (c.peek() == '"') {
            date = dateTime(c.quoted());
            c.requireSp();
        }
        if (c.peekWord("UTF8")) {
            // RFC 6855 §4: append-data =/ "UTF8" SP "(" literal8 ")", literal8 = "~{" number ["+"] "}" CRLF *OCTET.
            c.atom();
            c.requireSp();
            c.open();
            c.expect('~');
            int index = c.literal;
            long size = c.literalAnnouncement();
            c.close();
            return new ImapCommand.Append(tag, mailbox, flags, date, size, index);
        }
        if (c.peek() == '~') {
            // RFC 3516 §4.4: append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP (literal / literal8);
            // the octets (NUL included) are stored as sent.
            c.expect('~');
        }
        int index = c.literal;
        long size = c.literalAnnouncement();
        return new ImapCommand.Append(tag, mailbox, flags, date, size, index);
    }

    private static ImapCommand search(Cursor c, String tag, boolean uid) {
        c.requireSp();
        List<String> returns = List.of();
        String charset = null;
        if (c.peekWord("RETURN")) {
            c.atom();
            c.requireSp();
            returns = upper(c.atomList());
            if (returns.isEmpty()) {
                // RFC 4731 §3.1: "RETURN ()" is the same as "RETURN (ALL)".
                returns = List.of("ALL");
            }
            c.requireSp();
        }
        if (c.peekWord("CHARSET")) {
            c.atom();
            c.requireSp();
            charset = c.astring();
            c.requireSp();
        }
        List<SearchKey> keys = new ArrayList<>();
        do {
            keys.add(c.searchKey(0));
        } while (c.sp());
        return new ImapCommand.Search(tag, uid, charset, returns, keys.size() == 1 ? keys.get(0)
                : new SearchKey.And(keys));
    }

    /** RFC 5256 §4: sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria. */
    private static ImapCommand sort(Cursor c, String tag, boolean uid) {
        c.requireSp();
        c.open();
        List<ImapCommand.SortCriterion> criteria = new ArrayList<>();
        do {
            // sort-criterion = ["REVERSE" SP] sort-key
            String word = c.atom().toUpperCase(Locale.ROOT);
            boolean reverse = word.equals("REVERSE");
            if (reverse) {
                c.requireSp();
                word = c.atom().toUpperCase(Locale.ROOT);
            }
            criteria.add(new ImapCommand.SortCriterion(sortKey(word), reverse));
        } while (c.sp());
        c.close();
        c.requireSp();
        String charset = c.charset();
        return new ImapCommand.Sort(tag, uid, criteria, charset, searchKeys(c));
    }

    private static ImapCommand.SortKey sortKey(String word) {
        return switch (word) {
            case "ARRIVAL" -> ImapCommand.SortKey.ARRIVAL;
            case "CC" -> ImapCommand.SortKey.CC;
            case "DATE" -> ImapCommand.SortKey.DATE;
            case "FROM" -> ImapCommand.SortKey.FROM;
            case "SIZE" -> ImapCommand.SortKey.SIZE;
            case "SUBJECT" -> ImapCommand.SortKey.SUBJECT;
            case "TO" -> ImapCommand.SortKey.TO;
            case "DISPLAYFROM" -> ImapCommand.SortKey.DISPLAYFROM;
            case "DISPLAYTO" -> ImapCommand.SortKey.DISPLAYTO;
            default -> throw new SyntaxError("Unknown sort key " + word);
        };
    }

    /** RFC 5256 §4: thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria. */
    private static ImapCommand thread(Cursor c, String tag, boolean uid) {
        c.requireSp();
        String name = c.atom().toUpperCase(Locale.ROOT);
        ImapCommand.ThreadAlgorithm algorithm = switch (name) {
            case "ORDEREDSUBJECT" -> ImapCommand.ThreadAlgorithm.ORDEREDSUBJECT;
            case "REFERENCES" -> ImapCommand.ThreadAlgorithm.REFERENCES;
            default -> throw new SyntaxError("Unknown thread algorithm " + name);
        };
        c.requireSp();
        String charset = c.charset();
        return new ImapCommand.Thread(tag, uid, algorithm, charset, searchKeys(c));
    }

    /** RFC 5256 §4: search-criteria = charset 1*(SP search-key), after the charset. */
    private static SearchKey searchKeys(Cursor c) {
        List<SearchKey> keys = new ArrayList<>();
        while (c.sp()) {
            keys.add(c.searchKey(0));
        }
        if (keys.isEmpty()) {
            throw new SyntaxError("Missing search criteria");
        }
        return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
    }

    private static ImapCommand fetch(Cursor c, String tag, boolean uid) {
        c.requireSp();
        SequenceSet set = c.sequenceSet();
        c.requireSp();
        List<FetchAttribute> attributes = new ArrayList<>();
        if (c.peek() == '(') {
            c.open();
            do {
                attributes.add(c.fetchAttribute());
            } while (c.sp());
            c.close();
        } else {
            String word = c.peekAtomUpper();
            switch (word) {
                // RFC 3501 §6.4.5 macros
                case "ALL" -> {
                    c.atom();
                    attributes.addAll(simple(FetchAttribute.Item.FLAGS, FetchAttribute.Item.INTERNALDATE,
                            FetchAttribute.Item.RFC822_SIZE, FetchAttribute.Item.ENVELOPE));
                }
                case "FAST" -> {
                    c.atom();
                    attributes.addAll(simple(FetchAttribute.Item.FLAGS, FetchAttribute.Item.INTERNALDATE,
                            FetchAttribute.Item.RFC822_SIZE));
                }
                case "FULL" -> {
                    c.atom();
                    attributes.addAll(simple(FetchAttribute.Item.FLAGS, FetchAttribute.Item.INTERNALDATE,
                            FetchAttribute.Item.RFC822_SIZE, FetchAttribute.Item.ENVELOPE,
                            FetchAttribute.Item.BODY));
                }
                default -> attributes.add(c.fetchAttribute());
            }
        }
        Long changedSince = null;
        boolean vanished = false;
        if (c.sp()) {
            // RFC 4466 §2.4 fetch-modifiers; RFC 7162 §3.1.4 CHANGEDSINCE, §3.2.6 VANISHED.
            c.open();
            do {
                String modifier = c.atom().toUpperCase(Locale.ROOT);
                switch (modifier) {
                    case "CHANGEDSINCE" -> {
                        c.requireSp();
                        changedSince = c.number64();
                    }
                    case "VANISHED" -> vanished = true;
                    default -> throw new SyntaxError("Unknown fetch modifier " + modifier);
                }
            } while (c.sp());
            c.close();
            if (vanished && (!uid || changedSince == null)) {
                throw new SyntaxError("VANISHED needs UID FETCH with CHANGEDSINCE");
            }
        }
        return new ImapCommand.Fetch(tag, uid, set, attributes, changedSince, vanished);
    }

    private static ImapCommand store(Cursor c, String tag, boolean uid) {
        c.requireSp();
        SequenceSet set = c.sequenceSet();
        c.requireSp();
        Long unchangedSince = null;
        if (c.peek() == '(') {
            // RFC 7162 §3.1.3 store-modifier
            c.open();
            if (!c.atom().equalsIgnoreCase("UNCHANGEDSINCE")) {
                throw new SyntaxError("Unknown store modifier");
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
            default -> throw new SyntaxError("Expected FLAGS or FLAGS.SILENT");
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

    private static ImapCommand copy(Cursor c, String tag, boolean uid, boolean move) {
        c.requireSp();
        SequenceSet set = c.sequenceSet();
        return new ImapCommand.Copy(tag, uid, set, c.spAstring(), move);
    }

    private static ImapCommand id(Cursor c, String tag) {
        c.requireSp();
        Map<String, @Nullable String> parameters = new LinkedHashMap<>();
        if (c.peekWord("NIL")) {
            c.atom();
            return new ImapCommand.Id(tag, parameters);
        }
        c.open();
        if (c.peek() != ')') {
            do {
                String key = c.string();
                c.requireSp();
                String value = c.nstring();
                // RFC 2971 §3.3: at most 30 pairs, field names at most 30 octets, values at most 1024.
                if (parameters.size() >= 30 || key.length() > 30 || (value != null && value.length() > 1024)) {
                    throw new SyntaxError("ID parameters over the RFC 2971 limits");
                }
                parameters.put(key, value);
            } while (c.sp());
        }
        c.close();
        return new ImapCommand.Id(tag, parameters);
    }

    /** RFC 3501 §9 date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE. */
    static OffsetDateTime dateTime(String text) {
        if (text.length() != 26 || text.charAt(2) != '-' || text.charAt(6) != '-' || text.charAt(11) != ' '
                || text.charAt(14) != ':' || text.charAt(17) != ':' || text.charAt(20) != ' ') {
            throw new SyntaxError("Invalid date-time");
        }
        int day = digits(text.charAt(0) == ' ' ? "0" + text.charAt(1) : text.substring(0, 2));
        int month = month(text.substring(3, 6));
        int year = digits(text.substring(7, 11));
        int hour = digits(text.substring(12, 14));
        int minute = digits(text.substring(15, 17));
        int second = digits(text.substring(18, 20));
        char sign = text.charAt(21);
        if (sign != '+' && sign != '-') {
            throw new SyntaxError("Invalid zone");
        }
        int zoneHours = digits(text.substring(22, 24));
        int zoneMinutes = digits(text.substring(24, 26));
        int offsetSeconds = (zoneHours * 3600 + zoneMinutes * 60) * (sign == '-' ? -1 : 1);
        return OffsetDateTime.of(LocalDateTime.of(year, month, day, hour, minute, second),
                ZoneOffset.ofTotalSeconds(offsetSeconds));
    }

    /** RFC 3501 §9 date-text = date-day "-" date-month "-" date-year (date-day is 1*2DIGIT). */
    static LocalDate date(String text) {
        String[] parts = text.split("-", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[0].length() > 2 || parts[2].length() != 4) {
            throw new SyntaxError("Invalid date " + text);
        }
        return LocalDate.of(digits(parts[2]), month(parts[1]), digits(parts[0]));
    }

    private static int month(String name) {
        for (int i = 0; i < MONTHS.length; i++) {
            if (MONTHS[i].equalsIgnoreCase(name)) {
                return i + 1;
            }
        }
        throw new SyntaxError("Invalid month " + name);
    }

    private static int digits(String text) {
        if (text.isEmpty()) {
            throw new SyntaxError("Expected digits");
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                throw new SyntaxError("Expected digits");
            }
            value = value * 10 + (ch - '0');
        }
        return value;
    }

    private static List<FetchAttribute> simple(FetchAttribute.Item... items) {
        List<FetchAttribute> attributes = new ArrayList<>();
        for (FetchAttribute.Item item : items) {
            attributes.add(new FetchAttribute.Simple(item));
        }
        return attributes;
    }

    private static List<String> upper(List<String> words) {
        return words.stream().map(w -> w.toUpperCase(Locale.ROOT)).toList();
    }

    private static boolean isBase64(int b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '+' || b == '/';
    }

    private static boolean validPadding(String text) {
        int firstPad = text.indexOf('=');
        return text.length() % 4 == 0 && text.length() - firstPad <= 2
                && text.substring(firstPad).chars().allMatch(ch -> ch == '=');
    }

    /**
     * RFC 3501 §9 ATOM-CHAR: any CHAR except atom-specials "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]". Octets over
     * 0x7F are accepted too, for RFC 9051 UTF-8 mailbox names sent as atoms by deployed clients.
     */
    static boolean isAtomChar(int b) {
        int u = b & 0xFF;
        return u > 0x20 && u != 0x7F && u != '(' && u != ')' && u != '{' && u != '%' && u != '*' && u != '"'
                && u != '\\' && u != ']';
    }

    /** RFC 3501 §9 ASTRING-CHAR = ATOM-CHAR / resp-specials. */
    static boolean isAstringChar(int b) {
        return isAtomChar(b) || b == ']';
    }

    /** RFC 3501 §9 list-char = ATOM-CHAR / list-wildcards / resp-specials. */
    static boolean isListChar(int b) {
        return isAstringChar(b) || b == '%' || b == '*';
    }

    /** A grammar violation inside one parse; never leaves this class. */
    private static final class SyntaxError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SyntaxError(String message) {
            super(message, null, false, false);
        }
    }

    private interface BytePredicate {
        boolean test(int b);
    }

    /** A position in one command line, and the index of the next literal. */
    private static final class Cursor {
        private final byte[] line;
        private final List<byte[]> literals;
        private final int maxDepth;
        private int pos;
        private int literal;
        private int depth;

        Cursor(byte[] line, List<byte[]> literals, int maxDepth) {
            this.line = line;
            this.literals = literals;
            this.maxDepth = maxDepth;
        }

        boolean atEnd() {
            return pos >= line.length;
        }

        int peek() {
            return peekAt(0);
        }

        int peekAt(int offset) {
            return pos + offset < line.length ? line[pos + offset] & 0xFF : -1;
        }

        int next() {
            if (atEnd()) {
                throw new SyntaxError("Unexpected end of command");
            }
            return line[pos++] & 0xFF;
        }

        @Nullable String tag() {
            int start = pos;
            // RFC 3501 §9 tag: ASTRING-CHARs, which are 7-bit.
            while (!atEnd() && line[pos] > 0 && isAstringChar(line[pos]) && line[pos] != '+') {
                pos++;
            }
            return pos == start ? null : ascii(start, pos);
        }

        boolean sp() {
            if (peek() == ' ') {
                pos++;
                return true;
            }
            return false;
        }

        void requireSp() {
            if (!sp()) {
                throw new SyntaxError(atEnd() ? "Missing argument" : "Expected a space");
            }
        }

        void expect(char ch) {
            if (peek() != ch) {
                throw new SyntaxError("Expected '" + ch + "'");
            }
            pos++;
        }

        void open() {
            expect('(');
            if (++depth > maxDepth) {
                throw new SyntaxError("Lists nested too deeply");
            }
        }

        void close() {
            expect(')');
            depth--;
        }

        String takeWhile(BytePredicate predicate) {
            int start = pos;
            while (!atEnd() && predicate.test(line[pos] & 0xFF)) {
                pos++;
            }
            return utf8(start, pos);
        }

        String atom() {
            String atom = takeWhile(ImapCommandParser::isAtomChar);
            if (atom.isEmpty()) {
                throw new SyntaxError(atEnd() ? "Missing argument" : "Expected an atom");
            }
            return atom;
        }

        String peekAtomUpper() {
            int start = pos;
            String word = takeWhile(ImapCommandParser::isAtomChar);
            pos = start;
            return word.toUpperCase(Locale.ROOT);
        }

        /** RFC 5256 §4 charset = atom / quoted. */
        String charset() {
            return peek() == '"' ? quoted() : atom();
        }

        /** Whether the next atom is {@code word}, case-insensitive. */
        boolean peekWord(String word) {
            return peekAtomUpper().equals(word);
        }

        /** "(" [atom *(SP atom)] ")". */
        List<String> atomList() {
            open();
            List<String> atoms = new ArrayList<>();
            if (peek() != ')') {
                do {
                    atoms.add(atom());
                } while (sp());
            }
            close();
            return atoms;
        }

        String spAstring() {
            requireSp();
            return astring();
        }

        /** astring = 1*ASTRING-CHAR / string. */
        String astring() {
            int b = peek();
            if (b == '"' || b == '{') {
                return string();
            }
            String value = takeWhile(ImapCommandParser::isAstringChar);
            if (value.isEmpty()) {
                throw new SyntaxError(atEnd() ? "Missing argument" : "Expected an astring");
            }
            return value;
        }

        /** string = quoted / literal. */
        String string() {
            int b = peek();
            if (b == '"') {
                return quoted();
            }
            if (b == '{') {
                int index = literal;
                long size = literalAnnouncement();
                byte[] content = literals.get(index);
                if (content.length != size) {
                    throw new SyntaxError("Literal size does not match its announcement");
                }
                // RFC 3501 §4.3, §9: literal = "{" number "}" CRLF *CHAR8, and CHAR8 excludes NUL; only a literal8
                // (RFC 3516, an APPEND message here) may hold one. Nothing downstream (the store's text columns
                // among them) is asked to handle it.
                for (byte octet : content) {
                    if (octet == 0) {
                        throw new SyntaxError("NUL in a literal: only a literal8 may contain one (RFC 3501 §4.3)");
                    }
                }
                return new String(content, StandardCharsets.UTF_8);
            }
            throw new SyntaxError("Expected a string");
        }

        @Nullable String nstring() {
            if (peekAt(0) == 'N' || peekAt(0) == 'n') {
                String word = atom();
                if (!word.equalsIgnoreCase("NIL")) {
                    throw new SyntaxError("Expected a string or NIL");
                }
                return null;
            }
            return string();
        }

        /** quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR escapes only DQUOTE and "\" (RFC 3501 §9). */
        String quoted() {
            expect('"');
            byte[] out = new byte[line.length - pos];
            int n = 0;
            while (true) {
                int b = next();
                if (b == '"') {
                    return new String(out, 0, n, StandardCharsets.UTF_8);
                }
                if (b == '\\') {
                    b = next();
                    if (b != '"' && b != '\\') {
                        throw new SyntaxError("Invalid escape in quoted string");
                    }
                } else if (b == 0) {
                    throw new SyntaxError("NUL in a quoted string: QUOTED-CHAR excludes it (RFC 3501 §9)");
                } else if (b == '\r' || b == '\n') {
                    throw new SyntaxError("Invalid character in quoted string");
                }
                out[n++] = (byte) b;
            }
        }

        /**
         * Consumes "{" number ["+"] "}" and claims the next literal. The framer already checked the announcement's
         * shape and its size against the limits.
         */
        long literalAnnouncement() {
            expect('{');
            long size = number64();
            if (peek() == '+') {
                pos++;
            }
            expect('}');
            if (literal >= literals.size()) {
                throw new SyntaxError("Literal missing");
            }
            literal++;
            return size;
        }

        /** list-mailbox = 1*list-char / string. */
        String listMailbox() {
            int b = peek();
            if (b == '"' || b == '{') {
                return string();
            }
            String value = takeWhile(ImapCommandParser::isListChar);
            if (value.isEmpty()) {
                throw new SyntaxError("Expected a mailbox pattern");
            }
            return value;
        }

        /** flag-list = "(" [flag *(SP flag)] ")". */
        List<String> flagList() {
            open();
            List<String> flags = new ArrayList<>();
            if (peek() != ')') {
                do {
                    flags.add(flag());
                } while (sp());
            }
            close();
            return flags;
        }

        /** flag = "\" atom (system flags and flag-extension) / keyword. */
        String flag() {
            if (peek() == '\\') {
                pos++;
                return "\\" + atom();
            }
            return atom();
        }

        long number64() {
            int start = pos;
            long value = 0;
            while (!atEnd() && line[pos] >= '0' && line[pos] <= '9') {
                int digit = line[pos++] - '0';
                // RFC 7162 §7 mod-sequence-value is at most 2^63-1; nothing in IMAP is larger.
                if (value > (Long.MAX_VALUE - digit) / 10) {
                    throw new SyntaxError("Number too large");
                }
                value = value * 10 + digit;
            }
            if (pos == start) {
                throw new SyntaxError("Expected a number");
            }
            return value;
        }

        /** RFC 3501 §9 number: 32-bit unsigned. */
        long number32() {
            long value = number64();
            if (value > 0xFFFF_FFFFL) {
                throw new SyntaxError("Number too large");
            }
            return value;
        }

        long nzNumber() {
            long value = number32();
            if (value == 0) {
                throw new SyntaxError("Zero is not a valid number here");
            }
            return value;
        }

        /** sequence-set = (seq-number / seq-range) ["," sequence-set], or RFC 5182 "$". */
        SequenceSet sequenceSet() {
            if (peek() == '$') {
                pos++;
                return SequenceSet.savedResult();
            }
            List<SequenceSet.Range> ranges = new ArrayList<>();
            do {
                long from = seqNumber();
                long to = from;
                if (peek() == ':') {
                    pos++;
                    to = seqNumber();
                }
                ranges.add(new SequenceSet.Range(from, to));
            } while (peek() == ',' && next() == ',');
            return new SequenceSet(false, ranges);
        }

        private long seqNumber() {
            if (peek() == '*') {
                pos++;
                return SequenceSet.STAR;
            }
            return nzNumber();
        }

        boolean startsSequenceSet() {
            int b = peek();
            return b == '$' || b == '*' || (b >= '0' && b <= '9');
        }

        SearchKey searchKey(int nesting) {
            if (nesting > maxDepth) {
                throw new SyntaxError("Search keys nested too deeply");
            }
            if (peek() == '(') {
                open();
                List<SearchKey> keys = new ArrayList<>();
                do {
                    keys.add(searchKey(nesting + 1));
                } while (sp());
                close();
                return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
            }
            if (startsSequenceSet()) {
                return new SearchKey.Sequence(sequenceSet());
            }
            String key = atom().toUpperCase(Locale.ROOT);
            switch (key) {
                case "ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "NEW", "OLD", "RECENT", "SEEN", "UNANSWERED",
                        "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN" -> {
                    return new SearchKey.Simple(SearchKey.Flag.valueOf(key));
                }
                case "BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO" -> {
                    return new SearchKey.Text(SearchKey.Field.valueOf(key), spAstring());
                }
                case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE" -> {
                    requireSp();
                    // date = date-text / DQUOTE date-text DQUOTE
                    String text = peek() == '"' ? quoted() : takeWhile(b -> b == '-' || isAtomChar(b));
                    return new SearchKey.Date(SearchKey.DateField.valueOf(key), date(text));
                }
                case "HEADER" -> {
                    String field = spAstring();
                    return new SearchKey.Header(field, spAstring());
                }
                case "KEYWORD", "UNKEYWORD" -> {
                    requireSp();
                    return new SearchKey.Keyword(atom(), key.equals("KEYWORD"));
                }
                case "LARGER", "SMALLER" -> {
                    requireSp();
                    return new SearchKey.Size(key.equals("LARGER"), number32());
                }
                case "UID" -> {
                    requireSp();
                    return new SearchKey.Uid(sequenceSet());
                }
                case "NOT" -> {
                    requireSp();
                    return new SearchKey.Not(searchKey(nesting + 1));
                }
                case "OR" -> {
                    requireSp();
                    SearchKey left = searchKey(nesting + 1);
                    requireSp();
                    return new SearchKey.Or(left, searchKey(nesting + 1));
                }
                case "MODSEQ" -> {
                    // RFC 7162 §3.1.5: MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer
                    requireSp();
                    if (peek() == '"') {
                        quoted();
                        requireSp();
                        String type = atom().toLowerCase(Locale.ROOT);
                        if (!type.equals("priv") && !type.equals("shared") && !type.equals("all")) {
                            throw new SyntaxError("Invalid MODSEQ entry type");
                        }
                        requireSp();
                    }
                    return new SearchKey.ModSeq(number64());
                }
                case "OLDER", "YOUNGER" -> {
                    requireSp();
                    return new SearchKey.Age(key.equals("OLDER"), nzNumber());
                }
                default -> throw new SyntaxError("Unknown search key " + key);
            }
        }

        FetchAttribute fetchAttribute() {
            String name = takeWhile(b -> isAtomChar(b) && b != '[' && b != '<').toUpperCase(Locale.ROOT);
            switch (name) {
                case "ENVELOPE", "FLAGS", "INTERNALDATE", "RFC822", "RFC822.HEADER", "RFC822.SIZE", "RFC822.TEXT",
                        "BODYSTRUCTURE", "UID", "MODSEQ" -> {
                    return new FetchAttribute.Simple(FetchAttribute.Item.valueOf(name.replace('.', '_')));
                }
                case "BODY", "BODY.PEEK" -> {
                    if (peek() != '[') {
                        if (name.equals("BODY.PEEK")) {
                            throw new SyntaxError("BODY.PEEK needs a section");
                        }
                        return new FetchAttribute.Simple(FetchAttribute.Item.BODY);
                    }
                    FetchAttribute.Section section = section();
                    return new FetchAttribute.Body(name.equals("BODY.PEEK"), section, partial());
                }
                case "BINARY", "BINARY.PEEK" -> {
                    List<Integer> part = binarySection();
                    return new FetchAttribute.Binary(name.equals("BINARY.PEEK"), part, partial());
                }
                case "BINARY.SIZE" -> {
                    return new FetchAttribute.BinarySize(binarySection());
                }
                default -> throw new SyntaxError(name.isEmpty() ? "Expected a fetch attribute"
                        : "Unknown fetch attribute " + name);
            }
        }

        /** section = "[" [section-spec] "]". */
        FetchAttribute.Section section() {
            expect('[');
            List<Integer> part = new ArrayList<>();
            FetchAttribute.Text text = null;
            List<String> fields = new ArrayList<>();
            if (peek() != ']') {
                while (peek() >= '0' && peek() <= '9') {
                    part.add((int) Math.min(nzNumber(), Integer.MAX_VALUE));
                    if (peek() != '.') {
                        break;
                    }
                    pos++;
                }
                boolean afterDot = pos > 0 && line[pos - 1] == '.';
                if (part.isEmpty() || afterDot) {
                    String word = takeWhile(b -> isAtomChar(b) && b != '[').toUpperCase(Locale.ROOT);
                    text = switch (word) {
                        case "HEADER" -> FetchAttribute.Text.HEADER;
                        case "HEADER.FIELDS" -> FetchAttribute.Text.HEADER_FIELDS;
                        case "HEADER.FIELDS.NOT" -> FetchAttribute.Text.HEADER_FIELDS_NOT;
                        case "TEXT" -> FetchAttribute.Text.TEXT;
                        case "MIME" -> FetchAttribute.Text.MIME;
                        default -> throw new SyntaxError("Invalid section " + word);
                    };
                    if (text == FetchAttribute.Text.HEADER_FIELDS || text == FetchAttribute.Text.HEADER_FIELDS_NOT) {
                        requireSp();
                        open();
                        do {
                            fields.add(astring());
                        } while (sp());
                        close();
                    }
                }
            }
            expect(']');
            return new FetchAttribute.Section(part, text, fields);
        }

        /** RFC 3516 section-binary = "[" [section-part] "]". */
        List<Integer> binarySection() {
            expect('[');
            List<Integer> part = new ArrayList<>();
            if (peek() != ']') {
                do {
                    part.add((int) Math.min(nzNumber(), Integer.MAX_VALUE));
                } while (peek() == '.' && next() == '.');
            }
            expect(']');
            return part;
        }

        /** "&lt;" number "." nz-number "&gt;". */
        FetchAttribute.@Nullable Partial partial() {
            if (peek() != '<') {
                return null;
            }
            pos++;
            long offset = number32();
            expect('.');
            long length = nzNumber();
            expect('>');
            return new FetchAttribute.Partial(offset, length);
        }

        private String ascii(int from, int to) {
            return new String(line, from, to - from, StandardCharsets.US_ASCII);
        }

        private String utf8(int from, int to) {
            return new String(line, from, to - from, StandardCharsets.UTF_8);
        }
    }
}
