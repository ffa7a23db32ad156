package dev.hato.imap.wire;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The arguments of SEARCH (RFC 3501 §6.4.4, RFC 4731 RETURN), SORT and THREAD (RFC 5256): search keys, sort criteria,
 * thread algorithms.
 */
final class SearchArguments {

    private SearchArguments() {
    }

    static ImapCommand search(ImapCursor c, String tag, boolean uid) {
        c.requireSp();
        List<String> returns = List.of();
        String charset = null;
        if (c.peekWord("RETURN")) {
            c.atom();
            c.requireSp();
            returns = ImapCommandParser.upper(c.atomList());
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
            keys.add(searchKey(c, 0));
        } while (c.sp());
        return new ImapCommand.Search(tag, uid, charset, returns, keys.size() == 1 ? keys.get(0)
                : new SearchKey.And(keys));
    }

    /** RFC 5256 §4: sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria. */
    static ImapCommand sort(ImapCursor c, String tag, boolean uid) {
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
            default -> throw new ImapSyntaxError("Unknown sort key " + word);
        };
    }

    /** RFC 5256 §4: thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria. */
    static ImapCommand thread(ImapCursor c, String tag, boolean uid) {
        c.requireSp();
        String name = c.atom().toUpperCase(Locale.ROOT);
        ImapCommand.ThreadAlgorithm algorithm = switch (name) {
            case "ORDEREDSUBJECT" -> ImapCommand.ThreadAlgorithm.ORDEREDSUBJECT;
            case "REFERENCES" -> ImapCommand.ThreadAlgorithm.REFERENCES;
            default -> throw new ImapSyntaxError("Unknown thread algorithm " + name);
        };
        c.requireSp();
        String charset = c.charset();
        return new ImapCommand.Thread(tag, uid, algorithm, charset, searchKeys(c));
    }

    /** RFC 5256 §4: search-criteria = charset 1*(SP search-key), after the charset. */
    private static SearchKey searchKeys(ImapCursor c) {
        List<SearchKey> keys = new ArrayList<>();
        while (c.sp()) {
            keys.add(searchKey(c, 0));
        }
        if (keys.isEmpty()) {
            throw new ImapSyntaxError("Missing search criteria");
        }
        return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
    }

    private static SearchKey searchKey(ImapCursor c, int nesting) {
        if (nesting > c.maxDepth()) {
            throw new ImapSyntaxError("Search keys nested too deeply");
        }
        if (c.peek() == '(') {
            c.open();
            List<SearchKey> keys = new ArrayList<>();
            do {
                keys.add(searchKey(c, nesting + 1));
            } while (c.sp());
            c.close();
            return keys.size() == 1 ? keys.get(0) : new SearchKey.And(keys);
        }
        if (c.startsSequenceSet()) {
            return new SearchKey.Sequence(c.sequenceSet());
        }
        String key = c.atom().toUpperCase(Locale.ROOT);
        switch (key) {
            case "ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "NEW", "OLD", "RECENT", "SEEN", "UNANSWERED",
                    "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN", "SAVEDATESUPPORTED" -> {
                return new SearchKey.Simple(SearchKey.Flag.valueOf(key));
            }
            case "BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO" -> {
                return new SearchKey.Text(SearchKey.Field.valueOf(key), c.spAstring());
            }
            case "BEFORE", "ON", "SINCE", "SENTBEFORE", "SENTON", "SENTSINCE", "SAVEDBEFORE", "SAVEDON",
                    "SAVEDSINCE" -> {
                c.requireSp();
                // date = date-text / DQUOTE date-text DQUOTE
                String text = c.peek() == '"' ? c.quoted()
                        : c.takeWhile(b -> b == '-' || ImapCommandParser.isAtomChar(b));
                return new SearchKey.Date(SearchKey.DateField.valueOf(key), ImapDates.date(text));
            }
            case "HEADER" -> {
                String field = c.spAstring();
                return new SearchKey.Header(field, c.spAstring());
            }
            case "KEYWORD", "UNKEYWORD" -> {
                c.requireSp();
                return new SearchKey.Keyword(c.atom(), key.equals("KEYWORD"));
            }
            case "LARGER", "SMALLER" -> {
                c.requireSp();
                // RFC 9051 §9: LARGER and SMALLER take a number64 (63-bit sizes, Appendix D).
                return new SearchKey.Size(key.equals("LARGER"), c.number64());
            }
            case "UID" -> {
                c.requireSp();
                return new SearchKey.Uid(c.sequenceSet());
            }
            case "NOT" -> {
                c.requireSp();
                return new SearchKey.Not(searchKey(c, nesting + 1));
            }
            case "OR" -> {
                c.requireSp();
                SearchKey left = searchKey(c, nesting + 1);
                c.requireSp();
                return new SearchKey.Or(left, searchKey(c, nesting + 1));
            }
            case "MODSEQ" -> {
                // RFC 7162 §3.1.5: MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer
                c.requireSp();
                if (c.peek() == '"') {
                    c.quoted();
                    c.requireSp();
                    String type = c.atom().toLowerCase(Locale.ROOT);
                    if (!type.equals("priv") && !type.equals("shared") && !type.equals("all")) {
                        throw new ImapSyntaxError("Invalid MODSEQ entry type");
                    }
                    c.requireSp();
                }
                return new SearchKey.ModSeq(c.number64());
            }
            case "EMAILID" -> {
                return new SearchKey.EmailId(objectId(c));
            }
            case "THREADID" -> {
                return new SearchKey.ThreadId(objectId(c));
            }
            case "OLDER", "YOUNGER" -> {
                c.requireSp();
                return new SearchKey.Age(key.equals("OLDER"), c.nzNumber());
            }
            default -> throw new ImapSyntaxError("Unknown search key " + key);
        }
    }

    /** RFC 8474 §7: SP objectid, objectid = 1*255(ALPHA / DIGIT / "_" / "-"). */
    private static String objectId(ImapCursor c) {
        c.requireSp();
        String id = c.takeWhile(b -> b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_'
                || b == '-');
        if (id.isEmpty() || id.length() > 255) {
            throw new ImapSyntaxError("Invalid object id");
        }
        return id;
    }
}
