package dev.hato.imap.wire;

import static dev.hato.protocol.wire.Fragments.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.imap.wire.FetchAttribute.Body;
import dev.hato.imap.wire.FetchAttribute.Item;
import dev.hato.imap.wire.FetchAttribute.Partial;
import dev.hato.imap.wire.FetchAttribute.Section;
import dev.hato.imap.wire.ImapCommand.ReturnOption;
import dev.hato.imap.wire.ImapCommand.SortCriterion;
import dev.hato.imap.wire.ImapCommand.SortKey;
import dev.hato.imap.wire.ImapCommand.ThreadAlgorithm;
import dev.hato.imap.wire.SequenceSet.Range;
import dev.hato.protocol.wire.Fragments;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ImapCommandParserTest {

    private static final ImapCommandParser PARSER = new ImapCommandParser(8);
    private static final long STAR = SequenceSet.STAR;

    /** A command as a client sends it (with CRLFs and literals) and what it must parse to. */
    record Case(String input, ImapCommand expected) {
        @Override
        public String toString() {
            return Fragments.show(bytes(input));
        }
    }

    static Stream<Case> commands() {
        return Stream.of(
                new Case("a CAPABILITY\r\n", new ImapCommand.Capability("a")),
                new Case("a001 noop\r\n", new ImapCommand.Noop("a001")),
                new Case("A023 LOGOUT\r\n", new ImapCommand.Logout("A023")),
                new Case("a001 STARTTLS\r\n", new ImapCommand.StartTls("a001")),
                new Case("a CHECK\r\n", new ImapCommand.Check("a")),
                new Case("a CLOSE\r\n", new ImapCommand.Close("a")),
                new Case("a UNSELECT\r\n", new ImapCommand.Unselect("a")),
                new Case("a EXPUNGE\r\n", new ImapCommand.Expunge("a")),
                new Case("a IDLE\r\n", new ImapCommand.Idle("a")),
                new Case("a NAMESPACE\r\n", new ImapCommand.Namespace("a")),
                new Case("A001 AUTHENTICATE GSSAPI\r\n", new ImapCommand.Authenticate("A001", "GSSAPI", null)),
                new Case("a AUTHENTICATE plain AGZyZWQAZmF0IG1hbg==\r\n",
                        new ImapCommand.Authenticate("a", "PLAIN", "AGZyZWQAZmF0IG1hbg==")),
                new Case("a AUTHENTICATE EXTERNAL =\r\n", new ImapCommand.Authenticate("a", "EXTERNAL", "=")),
                new Case("a001 LOGIN SMITH SESAME\r\n", new ImapCommand.Login("a001", "SMITH", "SESAME")),
                new Case("a LOGIN \"fred\" \"p\\\"a\\\\ss word\"\r\n",
                        new ImapCommand.Login("a", "fred", "p\"a\\ss word")),
                new Case("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n",
                        new ImapCommand.Login("A001", "FRED FOOBAR", "fat man")),
                new Case("a LOGIN {3+}\r\nj\u00f6 \"\"\r\n", new ImapCommand.Login("a", "j\u00f6", "")),
                new Case("A142 SELECT INBOX\r\n", new ImapCommand.Select("A142", "INBOX", false, false)),
                new Case("a SELECT \"Sent Items\" (CONDSTORE)\r\n",
                        new ImapCommand.Select("a", "Sent Items", false, true)),
                // RFC 7162 §3.2.5.2 examples
                new Case("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))\r\n",
                        new ImapCommand.Select("A02", "INBOX", false, false, new ImapCommand.QResync(67890007L,
                                20050715194045000L, SequenceSet.of(SequenceSet.Range.single(41),
                                        new SequenceSet.Range(43, 211), new SequenceSet.Range(214, 541)),
                                null, null))),
                new Case("B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
                        + "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))\r\n",
                        new ImapCommand.Select("B04", "INBOX", false, false, new ImapCommand.QResync(67890007L,
                                90060115194045000L, SequenceSet.of(new SequenceSet.Range(1, 29997)),
                                SequenceSet.of(SequenceSet.Range.single(5000), SequenceSet.Range.single(7500),
                                        SequenceSet.Range.single(9000), new SequenceSet.Range(9990, 9999)),
                                SequenceSet.of(SequenceSet.Range.single(15000), SequenceSet.Range.single(22500),
                                        SequenceSet.Range.single(27000), SequenceSet.Range.single(29970),
                                        SequenceSet.Range.single(29973), SequenceSet.Range.single(29976),
                                        SequenceSet.Range.single(29979), SequenceSet.Range.single(29982),
                                        SequenceSet.Range.single(29985), SequenceSet.Range.single(29988),
                                        SequenceSet.Range.single(29991), SequenceSet.Range.single(29994),
                                        SequenceSet.Range.single(29997))))),
                new Case("a EXAMINE x (CONDSTORE QRESYNC (1 2))\r\n", new ImapCommand.Select("a", "x", true, true,
                        new ImapCommand.QResync(1, 2, null, null, null))),
                new Case("q1 GETQUOTAROOT INBOX\r\n", new ImapCommand.GetQuotaRoot("q1", "INBOX")),
                new Case("q2 GETQUOTA \"\"\r\n", new ImapCommand.GetQuota("q2", "")),
                new Case("q3 SETQUOTA \"\" (STORAGE 512)\r\n",
                        new ImapCommand.SetQuota("q3", "", List.of("STORAGE", "512"))),
                new Case("z COMPRESS deflate\r\n", new ImapCommand.Compress("z", "DEFLATE")),
                new Case("u APPEND INBOX UTF8 (~{3}\r\nabc)\r\n",
                        new ImapCommand.Append("u", "INBOX", List.of(), null, 3, 0)),
                new Case("b APPEND INBOX (\\Seen) ~{4+}\r\na\0bc\r\n",
                        new ImapCommand.Append("b", "INBOX", List.of("\\Seen"), null, 4, 0)),
                new Case("A932 EXAMINE blurdybloop\r\n", new ImapCommand.Select("A932", "blurdybloop", true, false)),
                new Case("A003 CREATE owatagusiam/\r\n", new ImapCommand.Create("A003", "owatagusiam/")),
                new Case("a CREATE &ZeVnLIqe-\r\n", new ImapCommand.Create("a", "&ZeVnLIqe-")),
                new Case("A683 DELETE blurdybloop\r\n", new ImapCommand.Delete("A683", "blurdybloop")),
                new Case("A683 RENAME blurdybloop sarasoop\r\n",
                        new ImapCommand.Rename("A683", "blurdybloop", "sarasoop")),
                new Case("A002 SUBSCRIBE #news.comp.mail.mime\r\n",
                        new ImapCommand.Subscribe("A002", "#news.comp.mail.mime", true)),
                new Case("A002 UNSUBSCRIBE #news.comp.mail.mime\r\n",
                        new ImapCommand.Subscribe("A002", "#news.comp.mail.mime", false)),
                new Case("A101 LIST \"\" \"\"\r\n",
                        new ImapCommand.ListMailboxes("A101", List.of(), "", List.of(""), List.of())),
                new Case("A202 LIST ~/Mail/ %\r\n",
                        new ImapCommand.ListMailboxes("A202", List.of(), "~/Mail/", List.of("%"), List.of())),
                new Case("A102 LIST #news.comp.mail.misc *\r\n", new ImapCommand.ListMailboxes("A102", List.of(),
                        "#news.comp.mail.misc", List.of("*"), List.of())),
                // RFC 5258 §5 examples
                new Case("A02 LIST (SUBSCRIBED) \"\" \"*\"\r\n", new ImapCommand.ListMailboxes("A02",
                        List.of("SUBSCRIBED"), "", List.of("*"), List.of())),
                new Case("A03 LIST () \"\" \"%\" RETURN (CHILDREN)\r\n", new ImapCommand.ListMailboxes("A03",
                        List.of(), "", List.of("%"), List.of(new ReturnOption("CHILDREN", List.of())))),
                new Case("A04 LIST (REMOTE RECURSIVEMATCH subscribed) \"\" (\"*\" Other/%) RETURN (SUBSCRIBED)\r\n",
                        new ImapCommand.ListMailboxes("A04", List.of("REMOTE", "RECURSIVEMATCH", "SUBSCRIBED"), "",
                                List.of("*", "Other/%"), List.of(new ReturnOption("SUBSCRIBED", List.of())))),
                new Case("A05 LIST \"\" % RETURN (SPECIAL-USE STATUS (MESSAGES unseen))\r\n",
                        new ImapCommand.ListMailboxes("A05", List.of(), "", List.of("%"), List.of(
                                new ReturnOption("SPECIAL-USE", List.of()),
                                new ReturnOption("STATUS", List.of("MESSAGES", "UNSEEN"))))),
                new Case("A002 LSUB #news. comp.mail.*\r\n", new ImapCommand.Lsub("A002", "#news.", "comp.mail.*")),
                new Case("A042 STATUS blurdybloop (UIDNEXT MESSAGES)\r\n",
                        new ImapCommand.Status("A042", "blurdybloop", List.of("UIDNEXT", "MESSAGES"))),
                new Case("A003 APPEND saved-messages (\\Seen) {10}\r\nDate: Mon,\r\n",
                        new ImapCommand.Append("A003", "saved-messages", List.of("\\Seen"), null, 10, 0)),
                new Case("a APPEND INBOX (\\Seen $Forwarded) \" 7-Feb-1994 21:52:25 -0800\" {2+}\r\nhi\r\n",
                        new ImapCommand.Append("a", "INBOX", List.of("\\Seen", "$Forwarded"),
                                OffsetDateTime.of(1994, 2, 7, 21, 52, 25, 0, ZoneOffset.ofHours(-8)), 2, 0)),
                new Case("a APPEND {5}\r\nDraft \"17-Jul-1996 02:44:25 +0200\" {0+}\r\n\r\n",
                        new ImapCommand.Append("a", "Draft", List.of(),
                                OffsetDateTime.of(1996, 7, 17, 2, 44, 25, 0, ZoneOffset.ofHours(2)), 0, 1)),
                // RFC 3502: several messages, each with its own flags and date-time, synchronizing, LITERAL+ and
                // RFC 3516 literal8 mixed; the mailbox itself may be a literal (then the messages are 1 and 2).
                new Case("A003 APPEND saved-messages (\\Seen) {3}\r\nabc (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" "
                        + "{2+}\r\nhi ~{3}\r\nx\0y \"01-Jan-2000 00:00:00 +0000\" UTF8 (~{1+}\r\nz)\r\n",
                        new ImapCommand.Append("A003", "saved-messages", List.of(
                                new ImapCommand.Append.Message(List.of("\\Seen"), null, 3, 0),
                                new ImapCommand.Append.Message(List.of("\\Seen"),
                                        OffsetDateTime.of(1994, 2, 7, 22, 43, 4, 0, ZoneOffset.ofHours(-8)), 2, 1),
                                new ImapCommand.Append.Message(List.of(), null, 3, 2),
                                new ImapCommand.Append.Message(List.of(),
                                        OffsetDateTime.of(2000, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC), 1, 3)))),
                new Case("a APPEND {5+}\r\nDraft {1+}\r\nx () {1+}\r\ny\r\n",
                        new ImapCommand.Append("a", "Draft", List.of(
                                new ImapCommand.Append.Message(List.of(), null, 1, 1),
                                new ImapCommand.Append.Message(List.of(), null, 1, 2)))),
                new Case("A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"\r\n", new ImapCommand.Search(
                        "A282", false, null, List.of(), new SearchKey.And(List.of(
                                new SearchKey.Simple(SearchKey.Flag.FLAGGED),
                                new SearchKey.Date(SearchKey.DateField.SINCE, LocalDate.of(1994, 2, 1)),
                                new SearchKey.Not(new SearchKey.Text(SearchKey.Field.FROM, "Smith")))))),
                new Case("A283 SEARCH TEXT \"string not in mailbox\"\r\n", new ImapCommand.Search("A283", false,
                        null, List.of(), new SearchKey.Text(SearchKey.Field.TEXT, "string not in mailbox"))),
                new Case("A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX\r\n", new ImapCommand.Search("A284",
                        false, "UTF-8", List.of(), new SearchKey.Text(SearchKey.Field.TEXT, "XXXXXX"))),
                new Case("a UID SEARCH OR (SEEN 1:3,5) UNKEYWORD $Junk UID 10:* HEADER X-Spam yes\r\n",
                        new ImapCommand.Search("a", true, null, List.of(), new SearchKey.And(List.of(
                                new SearchKey.Or(new SearchKey.And(List.of(new SearchKey.Simple(SearchKey.Flag.SEEN),
                                        new SearchKey.Sequence(SequenceSet.of(new Range(1, 3), Range.single(5))))),
                                        new SearchKey.Keyword("$Junk", false)),
                                new SearchKey.Uid(SequenceSet.of(new Range(10, STAR))),
                                new SearchKey.Header("X-Spam", "yes"))))),
                new Case("a SEARCH RETURN (MIN COUNT) LARGER 1024 SMALLER 4096 SENTON \"5-Mar-2024\"\r\n",
                        new ImapCommand.Search("a", false, null, List.of("MIN", "COUNT"), new SearchKey.And(List.of(
                                new SearchKey.Size(true, 1024), new SearchKey.Size(false, 4096),
                                new SearchKey.Date(SearchKey.DateField.SENTON, LocalDate.of(2024, 3, 5)))))),
                // RFC 9051 §9: LARGER and SMALLER take a number64
                new Case("a SEARCH LARGER 4294967296\r\n", new ImapCommand.Search("a", false, null, List.of(),
                        new SearchKey.Size(true, 4294967296L))),
                // RFC 4731 §3.1: RETURN () means RETURN (ALL)
                new Case("a UID SEARCH RETURN () UNSEEN\r\n", new ImapCommand.Search("a", true, null,
                        List.of("ALL"), new SearchKey.Simple(SearchKey.Flag.UNSEEN))),
                new Case("a SEARCH RETURN (SAVE MIN) DELETED\r\n", new ImapCommand.Search("a", false, null,
                        List.of("SAVE", "MIN"), new SearchKey.Simple(SearchKey.Flag.DELETED))),
                // RFC 5256 §4 examples
                new Case("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994\r\n", new ImapCommand.Sort("A282", false,
                        List.of(new SortCriterion(SortKey.SUBJECT, false)), "UTF-8",
                        new SearchKey.Date(SearchKey.DateField.SINCE, LocalDate.of(1994, 2, 1)))),
                new Case("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL\r\n", new ImapCommand.Sort("A283", false,
                        List.of(new SortCriterion(SortKey.SUBJECT, false), new SortCriterion(SortKey.DATE, true)),
                        "UTF-8", new SearchKey.Simple(SearchKey.Flag.ALL))),
                new Case("A284 SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"\r\n", new ImapCommand.Sort("A284",
                        false, List.of(new SortCriterion(SortKey.SUBJECT, false)), "US-ASCII",
                        new SearchKey.Text(SearchKey.Field.TEXT, "not in mailbox"))),
                new Case("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000\r\n", new ImapCommand.Thread("A283",
                        false, ThreadAlgorithm.ORDEREDSUBJECT, "UTF-8",
                        new SearchKey.Date(SearchKey.DateField.SINCE, LocalDate.of(2000, 3, 5)))),
                new Case("A284 THREAD REFERENCES US-ASCII TEXT \"gewp\"\r\n", new ImapCommand.Thread("A284",
                        false, ThreadAlgorithm.REFERENCES, "US-ASCII", new SearchKey.Text(SearchKey.Field.TEXT,
                        "gewp"))),
                new Case("a uid sort (reverse arrival size DISPLAYFROM cc to from displayto) \"utf-8\" UNSEEN"
                        + " SUBJECT {6}\r\n\u65e5\u672c\r\n", new ImapCommand.Sort("a", true, List.of(
                                new SortCriterion(SortKey.ARRIVAL, true), new SortCriterion(SortKey.SIZE, false),
                                new SortCriterion(SortKey.DISPLAYFROM, false), new SortCriterion(SortKey.CC, false),
                                new SortCriterion(SortKey.TO, false), new SortCriterion(SortKey.FROM, false),
                                new SortCriterion(SortKey.DISPLAYTO, false)), "utf-8", new SearchKey.And(List.of(
                                new SearchKey.Simple(SearchKey.Flag.UNSEEN),
                                new SearchKey.Text(SearchKey.Field.SUBJECT, "\u65e5\u672c"))))),
                new Case("a UID THREAD references UTF-8 $\r\n", new ImapCommand.Thread("a", true,
                        ThreadAlgorithm.REFERENCES, "UTF-8", new SearchKey.Sequence(SequenceSet.savedResult()))),
                new Case("a SEARCH $ MODSEQ \"/flags/\\\\draft\" all 620162338 YOUNGER 3600\r\n",
                        new ImapCommand.Search("a", false, null, List.of(), new SearchKey.And(List.of(
                                new SearchKey.Sequence(SequenceSet.savedResult()), new SearchKey.ModSeq(620162338),
                                new SearchKey.Age(false, 3600))))),
                new Case("a SEARCH all answered deleted draft new old recent unanswered undeleted undraft unflagged"
                        + " unseen keyword $label1 bcc b cc c body d subject e to f before 1-Jan-2000 on 2-Jan-2000"
                        + " sentbefore 3-Jan-2000 sentsince 4-Jan-2000 older 60\r\n",
                        new ImapCommand.Search("a", false, null, List.of(), new SearchKey.And(List.of(
                                new SearchKey.Simple(SearchKey.Flag.ALL), new SearchKey.Simple(SearchKey.Flag.ANSWERED),
                                new SearchKey.Simple(SearchKey.Flag.DELETED), new SearchKey.Simple(SearchKey.Flag.DRAFT),
                                new SearchKey.Simple(SearchKey.Flag.NEW), new SearchKey.Simple(SearchKey.Flag.OLD),
                                new SearchKey.Simple(SearchKey.Flag.RECENT),
                                new SearchKey.Simple(SearchKey.Flag.UNANSWERED),
                                new SearchKey.Simple(SearchKey.Flag.UNDELETED),
                                new SearchKey.Simple(SearchKey.Flag.UNDRAFT),
                                new SearchKey.Simple(SearchKey.Flag.UNFLAGGED),
                                new SearchKey.Simple(SearchKey.Flag.UNSEEN), new SearchKey.Keyword("$label1", true),
                                new SearchKey.Text(SearchKey.Field.BCC, "b"), new SearchKey.Text(SearchKey.Field.CC, "c"),
                                new SearchKey.Text(SearchKey.Field.BODY, "d"),
                                new SearchKey.Text(SearchKey.Field.SUBJECT, "e"),
                                new SearchKey.Text(SearchKey.Field.TO, "f"),
                                new SearchKey.Date(SearchKey.DateField.BEFORE, LocalDate.of(2000, 1, 1)),
                                new SearchKey.Date(SearchKey.DateField.ON, LocalDate.of(2000, 1, 2)),
                                new SearchKey.Date(SearchKey.DateField.SENTBEFORE, LocalDate.of(2000, 1, 3)),
                                new SearchKey.Date(SearchKey.DateField.SENTSINCE, LocalDate.of(2000, 1, 4)),
                                new SearchKey.Age(true, 60))))),
                new Case("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])\r\n", new ImapCommand.Fetch("A654",
                        false, SequenceSet.of(new Range(2, 4)), List.of(new FetchAttribute.Simple(Item.FLAGS),
                                new Body(false, new Section(List.of(), FetchAttribute.Text.HEADER_FIELDS,
                                        List.of("DATE", "FROM")), null)), null, false)),
                // RFC 8514 §5: fetch-att =/ "SAVEDATE"; search-key =/ "SAVEDBEFORE" SP date / "SAVEDON" SP date /
                // "SAVEDSINCE" SP date / "SAVEDATESUPPORTED".
                new Case("a FETCH 1 (UID savedate)\r\n", new ImapCommand.Fetch("a", false,
                        SequenceSet.of(Range.single(1)), List.of(new FetchAttribute.Simple(Item.UID),
                                new FetchAttribute.Simple(Item.SAVEDATE)), null, false)),
                new Case("a SEARCH SAVEDBEFORE 1-Jan-2015 savedon 28-Dec-2014 SAVEDSINCE \"2-Feb-2014\""
                        + " SAVEDATESUPPORTED\r\n", new ImapCommand.Search("a", false, null, List.of(),
                                new SearchKey.And(List.of(
                                        new SearchKey.Date(SearchKey.DateField.SAVEDBEFORE, LocalDate.of(2015, 1, 1)),
                                        new SearchKey.Date(SearchKey.DateField.SAVEDON, LocalDate.of(2014, 12, 28)),
                                        new SearchKey.Date(SearchKey.DateField.SAVEDSINCE, LocalDate.of(2014, 2, 2)),
                                        new SearchKey.Simple(SearchKey.Flag.SAVEDATESUPPORTED))))),
                new Case("a FETCH 1:* ALL\r\n", new ImapCommand.Fetch("a", false, SequenceSet.of(new Range(1, STAR)),
                        List.of(new FetchAttribute.Simple(Item.FLAGS), new FetchAttribute.Simple(Item.INTERNALDATE),
                                new FetchAttribute.Simple(Item.RFC822_SIZE), new FetchAttribute.Simple(Item.ENVELOPE)),
                        null, false)),
                new Case("a FETCH * fast\r\n", new ImapCommand.Fetch("a", false, SequenceSet.of(Range.single(STAR)),
                        List.of(new FetchAttribute.Simple(Item.FLAGS), new FetchAttribute.Simple(Item.INTERNALDATE),
                                new FetchAttribute.Simple(Item.RFC822_SIZE)), null, false)),
                new Case("a FETCH 1 FULL\r\n", new ImapCommand.Fetch("a", false, SequenceSet.of(Range.single(1)),
                        List.of(new FetchAttribute.Simple(Item.FLAGS), new FetchAttribute.Simple(Item.INTERNALDATE),
                                new FetchAttribute.Simple(Item.RFC822_SIZE), new FetchAttribute.Simple(Item.ENVELOPE),
                                new FetchAttribute.Simple(Item.BODY)), null, false)),
                new Case("a FETCH 3 BODY.PEEK[1.2.MIME]<0.1024>\r\n", new ImapCommand.Fetch("a", false,
                        SequenceSet.of(Range.single(3)), List.of(new Body(true,
                                new Section(List.of(1, 2), FetchAttribute.Text.MIME, List.of()),
                                new Partial(0, 1024))), null, false)),
                new Case("a UID FETCH 4:2,9 (UID RFC822.SIZE BODY[] BODY[2] BODY[TEXT] BODY[3.HEADER.FIELDS.NOT"
                        + " (Received)] BODYSTRUCTURE MODSEQ) (CHANGEDSINCE 12345 VANISHED)\r\n",
                        new ImapCommand.Fetch("a", true, SequenceSet.of(new Range(4, 2), Range.single(9)), List.of(
                                new FetchAttribute.Simple(Item.UID), new FetchAttribute.Simple(Item.RFC822_SIZE),
                                new Body(false, Section.whole(), null),
                                new Body(false, new Section(List.of(2), null, List.of()), null),
                                new Body(false, new Section(List.of(), FetchAttribute.Text.TEXT, List.of()), null),
                                new Body(false, new Section(List.of(3), FetchAttribute.Text.HEADER_FIELDS_NOT,
                                        List.of("Received")), null),
                                new FetchAttribute.Simple(Item.BODYSTRUCTURE), new FetchAttribute.Simple(Item.MODSEQ)),
                                12345L, true)),
                new Case("a FETCH 1 (BINARY.PEEK[1]<100.200> BINARY[] BINARY.SIZE[1.2] RFC822 RFC822.HEADER"
                        + " RFC822.TEXT INTERNALDATE ENVELOPE BODY)\r\n", new ImapCommand.Fetch("a", false,
                        SequenceSet.of(Range.single(1)), List.of(
                                new FetchAttribute.Binary(true, List.of(1), new Partial(100, 200)),
                                new FetchAttribute.Binary(false, List.of(), null),
                                new FetchAttribute.BinarySize(List.of(1, 2)), new FetchAttribute.Simple(Item.RFC822),
                                new FetchAttribute.Simple(Item.RFC822_HEADER),
                                new FetchAttribute.Simple(Item.RFC822_TEXT),
                                new FetchAttribute.Simple(Item.INTERNALDATE), new FetchAttribute.Simple(Item.ENVELOPE),
                                new FetchAttribute.Simple(Item.BODY)), null, false)),
                // RFC 8474 §5.3 EMAILID and THREADID, RFC 8970 §6 PREVIEW with its LAZY modifier (also after a
                // single attribute, where a parenthesis could open the fetch modifiers)
                new Case("a FETCH 1 (emailid THREADID PREVIEW preview (LAZY) PREVIEW (lazy LAZY) UID)\r\n",
                        new ImapCommand.Fetch("a", false, SequenceSet.of(Range.single(1)), List.of(
                                new FetchAttribute.EmailId(), new FetchAttribute.ThreadId(),
                                new FetchAttribute.Preview(false), new FetchAttribute.Preview(true),
                                new FetchAttribute.Preview(true), new FetchAttribute.Simple(Item.UID)), null, false)),
                new Case("a UID FETCH 1 PREVIEW (LAZY) (CHANGEDSINCE 5)\r\n", new ImapCommand.Fetch("a", true,
                        SequenceSet.of(Range.single(1)), List.of(new FetchAttribute.Preview(true)), 5L, false)),
                new Case("a UID FETCH 1 PREVIEW (CHANGEDSINCE 5)\r\n", new ImapCommand.Fetch("a", true,
                        SequenceSet.of(Range.single(1)), List.of(new FetchAttribute.Preview(false)), 5L, false)),
                // RFC 8474 §6: objectids are case-sensitive and kept as sent
                new Case("a SEARCH emailid Mab_C-9 OR THREADID T1 NOT EMAILID x\r\n", new ImapCommand.Search("a",
                        false, null, List.of(), new SearchKey.And(List.of(new SearchKey.EmailId("Mab_C-9"),
                                new SearchKey.Or(new SearchKey.ThreadId("T1"),
                                        new SearchKey.Not(new SearchKey.EmailId("x"))))))),
                new Case("A003 STORE 2:4 +FLAGS (\\Deleted)\r\n", new ImapCommand.Store("A003", false,
                        SequenceSet.of(new Range(2, 4)), null, ImapCommand.StoreMode.ADD, false, List.of("\\Deleted"))),
                new Case("a STORE 1 -FLAGS.SILENT \\Seen $Junk\r\n", new ImapCommand.Store("a", false,
                        SequenceSet.of(Range.single(1)), null, ImapCommand.StoreMode.REMOVE, true,
                        List.of("\\Seen", "$Junk"))),
                new Case("a UID STORE $ (UNCHANGEDSINCE 320162338) FLAGS ()\r\n", new ImapCommand.Store("a", true,
                        SequenceSet.savedResult(), 320162338L, ImapCommand.StoreMode.REPLACE, false, List.of())),
                new Case("A003 COPY 2:4 MEETING\r\n",
                        new ImapCommand.Copy("A003", false, SequenceSet.of(new Range(2, 4)), "MEETING", false)),
                new Case("a UID COPY 1:* \"Saved Mail\"\r\n",
                        new ImapCommand.Copy("a", true, SequenceSet.of(new Range(1, STAR)), "Saved Mail", false)),
                new Case("a MOVE 3 Trash\r\n",
                        new ImapCommand.Copy("a", false, SequenceSet.of(Range.single(3)), "Trash", true)),
                new Case("a UID MOVE 42:43 Archive\r\n",
                        new ImapCommand.Copy("a", true, SequenceSet.of(new Range(42, 43)), "Archive", true)),
                new Case("A202 UID EXPUNGE 3000:3002\r\n",
                        new ImapCommand.UidExpunge("A202", SequenceSet.of(new Range(3000, 3002)))),
                new Case("t2 ENABLE CONDSTORE qresync\r\n",
                        new ImapCommand.Enable("t2", List.of("CONDSTORE", "QRESYNC"))),
                new Case("a023 ID (\"name\" \"sodr\" \"version\" \"19.34\" \"vendor\" NIL)\r\n",
                        new ImapCommand.Id("a023", map("name", "sodr", "version", "19.34", "vendor", null))),
                new Case("a ID NIL\r\n", new ImapCommand.Id("a", Map.of())),
                new Case("a UID FETCH 1 (FLAGS) (CHANGEDSINCE 9223372036854775807)\r\n", new ImapCommand.Fetch("a",
                        true, SequenceSet.of(Range.single(1)), List.of(new FetchAttribute.Simple(Item.FLAGS)),
                        Long.MAX_VALUE, false)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void commandShouldParseHoweverItsBytesArrive(Case c) {
        for (Fragments.Split split : Fragments.of(c.input().getBytes(StandardCharsets.UTF_8))) {
            assertThat(frameAndParse(split.buffers())).as(split.name()).containsExactly(c.expected());
        }
    }

    static Stream<Case> invalid() {
        return Stream.of(
                new Case("a\r\n", new ImapCommand.Invalid("a", "Missing command")),
                new Case("\r\n", new ImapCommand.Invalid("*", "Missing or invalid tag")),
                new Case("+ NOOP\r\n", new ImapCommand.Invalid("*", "Missing or invalid tag")),
                new Case("a FROB\r\n", new ImapCommand.Invalid("a", "Unknown command FROB")),
                new Case("a NOOP extra\r\n", new ImapCommand.Invalid("a", "Unexpected characters at end of command")),
                new Case("a  NOOP\r\n", new ImapCommand.Invalid("a", "Expected an atom")),
                new Case("a LOGIN fred\r\n", new ImapCommand.Invalid("a", "Missing argument")),
                new Case("a LOGIN \"fred\r\n", new ImapCommand.Invalid("a", "Unexpected end of command")),
                new Case("a LOGIN \"fr\\ed\" x\r\n", new ImapCommand.Invalid("a", "Invalid escape in quoted string")),
                new Case("a SELECT INBOX (FOO)\r\n", new ImapCommand.Invalid("a", "Unknown select parameter FOO")),
                new Case("a SELECT INBOX (QRESYNC)\r\n", new ImapCommand.Invalid("a", "Expected a space")),
                new Case("a FETCH 0 FLAGS\r\n", new ImapCommand.Invalid("a", "Zero is not a valid number here")),
                new Case("a FETCH 1:4294967296 FLAGS\r\n", new ImapCommand.Invalid("a", "Number too large")),
                new Case("a FETCH 1 BODY[]<0.0>\r\n", new ImapCommand.Invalid("a", "Zero is not a valid number here")),
                // RFC 9051 §9: partial = "<" number64 "." nz-number64 ">"
                new Case("a FETCH 1 BODY[]<4294967296.4294967296>\r\n", new ImapCommand.Fetch("a", false,
                        SequenceSet.of(Range.single(1)), List.of(new Body(false,
                                new Section(List.of(), null, List.of()), new Partial(4294967296L, 4294967296L))),
                        null, false)),
                new Case("a UID FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)\r\n",
                        new ImapCommand.Invalid("a", "Number too large")),
                new Case("t\u00e4g NOOP\r\n", new ImapCommand.Invalid("*", "Missing or invalid tag")),
                new Case("a FETCH 1 BODY[4.MIME\r\n", new ImapCommand.Invalid("a", "Expected ']'")),
                new Case("a FETCH 1 BODY[MIME]\r\n", new ImapCommand.Invalid("a",
                        "Invalid argument: MIME needs a part number")),
                new Case("a FETCH 1 BODY.PEEK\r\n", new ImapCommand.Invalid("a", "BODY.PEEK needs a section")),
                new Case("a FETCH 1 (FLAGS\r\n", new ImapCommand.Invalid("a", "Expected ')'")),
                new Case("a FETCH 1 FLAGS (VANISHED)\r\n", new ImapCommand.Invalid("a",
                        "VANISHED needs UID FETCH with CHANGEDSINCE")),
                new Case("a STORE 1 FLAG (\\Seen)\r\n", new ImapCommand.Invalid("a", "Expected FLAGS or FLAGS.SILENT")),
                new Case("a FETCH 1 (PREVIEW (SOON))\r\n", new ImapCommand.Invalid("a", "Expected a fetch attribute")),
                new Case("a FETCH 1 (PREVIEW (LAZY SOON))\r\n", new ImapCommand.Invalid("a",
                        "Unknown PREVIEW modifier SOON")),
                new Case("a SEARCH EMAILID\r\n", new ImapCommand.Invalid("a", "Missing argument")),
                new Case("a SEARCH EMAILID \"M1\"\r\n", new ImapCommand.Invalid("a", "Invalid object id")),
                new Case("a SEARCH THREADID " + "T".repeat(256) + "\r\n", new ImapCommand.Invalid("a",
                        "Invalid object id")),
                new Case("a SEARCH FROBNICATE\r\n", new ImapCommand.Invalid("a", "Unknown search key FROBNICATE")),
                new Case("a SEARCH SINCE 31-Feb-2024\r\n", new ImapCommand.Invalid("a",
                        "Invalid argument: Invalid date 'FEBRUARY 31'")),
                new Case("a SEARCH SINCE 1-Foo-2024\r\n", new ImapCommand.Invalid("a", "Invalid month Foo")),
                new Case("a APPEND INBOX \"7-Feb-1994 21:52:25 -0800\" {1}\r\nx\r\n",
                        new ImapCommand.Invalid("a", "Invalid date-time")),
                // RFC 3502 append-message: each message needs its literal; no separator but SP, nothing after the last.
                new Case("a APPEND INBOX {1}\r\nx (\\Seen)\r\n", new ImapCommand.Invalid("a", "Missing argument")),
                new Case("a APPEND INBOX {1}\r\nx  {1}\r\ny\r\n", new ImapCommand.Invalid("a", "Expected '{'")),
                new Case("a APPEND INBOX {1}\r\nx \r\n", new ImapCommand.Invalid("a", "Expected '{'")),
                new Case("a APPEND INBOX {1}\r\nx,{1}\r\ny\r\n", new ImapCommand.Invalid("a", "Expected a space")),
                new Case("a AUTHENTICATE PLAIN AG=ZyZWQ\r\n", new ImapCommand.Invalid("a", "Invalid initial response")),
                new Case("a UID FROB 1\r\n", new ImapCommand.Invalid("a", "Unknown UID command FROB")),
                new Case("a ENABLE\r\n", new ImapCommand.Invalid("a", "ENABLE needs a capability")),
                new Case("a STATUS INBOX ()\r\n", new ImapCommand.Invalid("a", "STATUS needs at least one item")),
                new Case("a LIST \"\" % RETURNS (CHILDREN)\r\n", new ImapCommand.Invalid("a", "Expected RETURN")),
                new Case("a SORT SUBJECT UTF-8 ALL\r\n", new ImapCommand.Invalid("a", "Expected '('")),
                new Case("a SORT () UTF-8 ALL\r\n", new ImapCommand.Invalid("a", "Expected an atom")),
                new Case("a SORT (WEIGHT) UTF-8 ALL\r\n", new ImapCommand.Invalid("a", "Unknown sort key WEIGHT")),
                new Case("a SORT (REVERSE) UTF-8 ALL\r\n", new ImapCommand.Invalid("a", "Expected a space")),
                new Case("a SORT (SUBJECT) UTF-8\r\n", new ImapCommand.Invalid("a", "Missing search criteria")),
                new Case("a SORT (SUBJECT) ALL\r\n", new ImapCommand.Invalid("a", "Missing search criteria")),
                new Case("a THREAD FOO UTF-8 ALL\r\n", new ImapCommand.Invalid("a", "Unknown thread algorithm FOO")),
                new Case("a UID THREAD REFERENCES UTF-8 FROBNICATE\r\n",
                        new ImapCommand.Invalid("a", "Unknown search key FROBNICATE")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void syntaxErrorShouldBeAnInvalidWithTheTag(Case c) {
        for (Fragments.Split split : Fragments.of(bytes(c.input()))) {
            assertThat(frameAndParse(split.buffers())).as(split.name()).containsExactly(c.expected());
        }
    }

    @Test
    void searchKeysNestedBeyondTheLimitShouldBeInvalid() {
        String deep = "a SEARCH " + "(".repeat(9) + "SEEN" + ")".repeat(9);
        String shallow = "a SEARCH " + "(".repeat(8) + "SEEN" + ")".repeat(8);

        assertThat(PARSER.parse(bytes(deep))).isEqualTo(new ImapCommand.Invalid("a", "Lists nested too deeply"));
        assertThat(PARSER.parse(bytes(shallow))).isEqualTo(new ImapCommand.Search("a", false, null, List.of(),
                new SearchKey.Simple(SearchKey.Flag.SEEN)));
    }

    @Test
    void notChainsBeyondTheLimitShouldBeInvalidNotAStackOverflow() {
        String deep = "a SEARCH " + "NOT ".repeat(100_000) + "SEEN";

        assertThat(PARSER.parse(bytes(deep))).isEqualTo(new ImapCommand.Invalid("a", "Search keys nested too deeply"));
    }

    @Test
    void aLiteralWhoseContentDoesNotMatchItsAnnouncementShouldBeInvalid() {
        assertThat(PARSER.parse(bytes("a LOGIN {3} x"), List.of(bytes("ab"), bytes("x"))))
                .isEqualTo(new ImapCommand.Invalid("a", "Literal size does not match its announcement"));
        assertThat(PARSER.parse(bytes("a LOGIN {3} x"), List.of()))
                .isEqualTo(new ImapCommand.Invalid("a", "Literal missing"));
        assertThat(PARSER.parse(bytes("a LOGIN x y"), List.of(bytes("z"))))
                .isEqualTo(new ImapCommand.Invalid("a", "Literal count does not match the line"));
    }

    @Test
    void loginShouldNotShowThePassword() {
        assertThat(new ImapCommand.Login("a", "fred", "secret").toString()).doesNotContain("secret");
    }

    /**
     * Frames the input as a session would: literal chunks are collected per command (an APPEND message would be
     * streamed to the store instead; here it is collected too), and each frame is parsed with its literals.
     */
    private static List<ImapCommand> frameAndParse(List<ByteBuffer> buffers) {
        ImapFramer framer = new ImapFramer(ImapFramer.Limits.defaults().withMaxChunkSize(3));
        List<ImapCommand> commands = new ArrayList<>();
        List<byte[]> literals = new ArrayList<>();
        ByteArrayOutputStream literal = new ByteArrayOutputStream();
        for (ByteBuffer buffer : buffers) {
            for (ImapDecoded d = framer.next(buffer); !(d instanceof ImapDecoded.NeedMore); d = framer.next(buffer)) {
                if (d instanceof ImapDecoded.LiteralChunk chunk) {
                    byte[] octets = new byte[chunk.bytes().remaining()];
                    chunk.bytes().get(octets);
                    literal.writeBytes(octets);
                } else if (d instanceof ImapDecoded.LiteralEnd) {
                    literals.add(literal.toByteArray());
                    literal.reset();
                } else if (d instanceof ImapDecoded.Frame frame) {
                    commands.add(PARSER.parse(frame.line(), literals));
                    literals = new ArrayList<>();
                } else if (!(d instanceof ImapDecoded.LiteralStart)) {
                    throw new AssertionError("unexpected " + d);
                }
            }
        }
        return commands;
    }

    private static Map<String, String> map(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void aBareSequenceNumberListShouldBeASearchKey() {
        assertThat(PARSER.parse(bytes("a SEARCH 1,3:5,*"))).isEqualTo(new ImapCommand.Search("a", false, null,
                List.of(), new SearchKey.Sequence(SequenceSet.of(Range.single(1), new Range(3, 5),
                        Range.single(STAR)))));
    }
}
