package dev.hato.imap.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hato.imap.wire.SequenceSet;
import dev.hato.store.mail.MailboxInfo;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.mail.MessageMeta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SelectedMailboxTest {

    private static final MailboxInfo INFO = new MailboxInfo(7, 1, "INBOX", 1234, 10, 20, null, 5);

    private static MessageMeta message(long uid, long modseq, String... flags) {
        return new MessageMeta(1, 7, uid, modseq, uid * 100, 42, Instant.EPOCH, Set.of(flags));
    }

    private static SelectedMailbox mailbox() {
        return new SelectedMailbox(INFO, false, List.of(message(2, 3), message(4, 5, "\\Seen"), message(9, 20)),
                new RecentClaim(4, 10));
    }

    @Test
    void sequenceNumbersShouldFollowUidOrderAndRecentShouldStartAtTheClaimedUid() {
        SelectedMailbox mailbox = mailbox();
        assertThat(mailbox.exists()).isEqualTo(3);
        assertThat(mailbox.sequence(4)).isEqualTo(2);
        assertThat(mailbox.sequence(5)).isZero();
        assertThat(mailbox.recentCount()).isEqualTo(2);
        assertThat(mailbox.firstUnseen()).isEqualTo(1);
        assertThat(mailbox.flags(mailbox.message(4))).containsExactly("\\Recent", "\\Seen");
    }

    @Test
    void sequenceSetsShouldResolveStarReversedRangesAndRejectNumbersBeyondTheMailbox() {
        SelectedMailbox mailbox = mailbox();
        assertThat(mailbox.resolve(SequenceSet.of(new SequenceSet.Range(SequenceSet.STAR, 2)), false, List.of()))
                .containsExactly(4L, 9L);
        assertThatThrownBy(() -> mailbox.resolve(SequenceSet.of(SequenceSet.Range.single(4)), false, List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void uidSetsShouldIgnoreMissingUidsAndAlwaysIncludeTheLastForARangeToStar() {
        SelectedMailbox mailbox = mailbox();
        assertThat(mailbox.resolve(SequenceSet.of(new SequenceSet.Range(3, 5)), true, List.of()))
                .containsExactly(4L);
        // RFC 3501 §6.4.8: 100:* names the message with the highest UID even though 100 > 9.
        assertThat(mailbox.resolve(SequenceSet.of(new SequenceSet.Range(100, SequenceSet.STAR)), true, List.of()))
                .containsExactly(9L);
        assertThat(mailbox.resolve(SequenceSet.savedResult(), true, List.of(9L, 2L, 77L))).containsExactly(2L, 9L);
    }

    @Test
    void changesShouldBecomeExistsAndFetchFlagsButExpungesOnlyWhenAllowed() {
        SelectedMailbox mailbox = mailbox();
        mailbox.apply(List.of(message(4, 21, "\\Seen", "\\Flagged"), message(12, 22)), List.of(2L),
                new RecentClaim(12, 13));
        List<String> duringFetch = mailbox.flush(false, true, false);
        assertThat(duringFetch).containsExactly("* 4 EXISTS", "* 3 RECENT",
                "* 2 FETCH (FLAGS (\\Flagged \\Recent \\Seen) MODSEQ (21))");
        // The expunged message keeps its number until it may be announced.
        assertThat(mailbox.sequence(2)).isEqualTo(1);
        assertThat(mailbox.message(2)).isNull();
        assertThat(mailbox.flush(true, true, false)).containsExactly("* 1 EXPUNGE");
        assertThat(mailbox.sequence(12)).isEqualTo(3);
        assertThat(mailbox.exists()).isEqualTo(3);
        assertThat(mailbox.flush(true, true, false)).isEmpty();
    }

    @Test
    void anImap4rev2SessionShouldShowNoRecentAndGiveUnsolicitedFetchesTheirUid() {
        // RFC 9051 §2.3.2 (\Recent deprecated) and Appendix E item 21 (every unsolicited FETCH carries UID).
        SelectedMailbox mailbox = mailbox();
        mailbox.imap4rev2();
        assertThat(mailbox.flags(mailbox.message(4))).containsExactly("\\Seen");
        assertThat(mailbox.isRecent(9)).isFalse();
        assertThat(mailbox.recentUids()).isEmpty();
        mailbox.apply(List.of(message(4, 21, "\\Seen", "\\Flagged"), message(12, 22)), List.of(),
                new RecentClaim(12, 13));
        assertThat(mailbox.flush(true, false, false)).containsExactly("* 4 EXISTS",
                "* 2 FETCH (FLAGS (\\Flagged \\Seen) UID 4)");
    }

    @Test
    void aMessageReadAsNewAndAsExpungedAtOnceShouldLeaveWithoutAnyResponse() {
        SelectedMailbox mailbox = mailbox();
        // The read of changes saw UID 12 arrive; the read of expunges after it saw 12 and 4 go.
        mailbox.apply(List.of(message(12, 22)), List.of(12L, 4L), new RecentClaim(12, 13));
        // RFC 3501 §7.4.1: an EXPUNGE names a message the client has a number for; 12 never had one.
        assertThat(mailbox.flush(true, false, false)).containsExactly("* 2 EXPUNGE");
        assertThat(mailbox.exists()).isEqualTo(2);
        assertThat(mailbox.sequence(12)).isZero();
        assertThat(mailbox.recentUids()).containsExactly(9L);
        assertThat(mailbox.flush(true, false, false)).isEmpty();
    }

    @Test
    void expungesShouldBeSentHighestNumberFirstOrAsOneVanishedUnderQresync() {
        SelectedMailbox plain = mailbox();
        plain.apply(List.of(), List.of(2L, 9L), null);
        assertThat(plain.flush(true, false, false)).containsExactly("* 3 EXPUNGE", "* 1 EXPUNGE");
        SelectedMailbox resync = mailbox();
        resync.apply(List.of(), List.of(2L, 4L, 9L), null);
        assertThat(resync.flush(true, true, true)).containsExactly("* VANISHED 2,4,9");
        assertThat(resync.exists()).isZero();
    }

    @Test
    void aSilentStoreOvertakenByOtherSessionsShouldBeCorrectedAtTheNextRead() {
        // uid 2 has no flags here. Another session sets \Draft, this session's STORE +FLAGS.SILENT (\Draft) finds it
        // set (no change of its own), and a third session clears it again before this session reads the changes:
        // the truth is the flags this session was last told, but not what its client now takes them to be
        // (ImapSharedMailboxStressTest found it).
        SelectedMailbox mailbox = mailbox();
        mailbox.presume(2, Set.of("\\Draft"));
        mailbox.apply(List.of(message(2, 31)), List.of(), null);
        assertThat(mailbox.flush(true, false, false)).containsExactly("* 1 FETCH (FLAGS ())");
        // A change read and not yet announced keeps its announcement, which tells the truth.
        mailbox.apply(List.of(message(4, 32, "\\Seen", "\\Flagged")), List.of(), null);
        mailbox.presume(4, Set.of("\\Seen", "\\Draft"));
        assertThat(mailbox.flush(true, false, false)).containsExactly("* 2 FETCH (FLAGS (\\Flagged \\Recent \\Seen))");
    }

    @Test
    void aChangeSeenTwiceOrMadeByThisSessionShouldBeAnnouncedOnce() {
        SelectedMailbox mailbox = mailbox();
        mailbox.updated(message(2, 30, "\\Answered"));
        mailbox.apply(List.of(message(2, 30, "\\Answered")), List.of(), null);
        assertThat(mailbox.flush(true, false, false)).isEmpty();
        mailbox.apply(List.of(message(9, 31, "$Junk")), List.of(), null);
        mailbox.apply(List.of(message(9, 31, "$Junk")), List.of(), null);
        // RFC 3501 §7.2.6: the keyword is new to the mailbox, so FLAGS (once) comes before the FETCH that shows it.
        assertThat(mailbox.flush(true, false, true)).containsExactly(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk)",
                "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Junk \\*)] Flags permitted",
                "* 3 FETCH (FLAGS ($Junk \\Recent) UID 9)");
        assertThat(mailbox.keywords()).containsExactly("$Junk");
        mailbox.apply(List.of(message(9, 32, "$Junk")), List.of(), null);
        mailbox.apply(List.of(message(2, 33, "$junk")), List.of(), null);
        assertThat(mailbox.flush(true, false, true)).containsExactly("* 1 FETCH (FLAGS ($junk) UID 2)");
    }

    @Test
    void aMessageThatTheSessionsClaimTookBeforeItsReadSawItShouldBeRecentWhenItArrives() {
        SelectedMailbox mailbox = mailbox();
        // The read saw UID 12; the claim made after it also took UID 13, committed in between.
        mailbox.apply(List.of(message(12, 22)), List.of(), new RecentClaim(12, 14));
        mailbox.apply(List.of(message(13, 23), message(14, 24)), List.of(), null);

        assertThat(mailbox.isRecent(12)).isTrue();
        assertThat(mailbox.isRecent(13)).as("taken by this session's claim").isTrue();
        assertThat(mailbox.isRecent(14)).as("not claimed by this session").isFalse();
    }

    @Test
    void anExaminedMailboxShouldShowWhatNoSessionClaimedAsRecentAndRememberNoClaim() {
        SelectedMailbox examined = new SelectedMailbox(INFO, true, List.of(message(4, 5), message(5, 6)),
                SelectedMailbox.unclaimed(5));
        assertThat(examined.recentUids()).containsExactly(5L);
        examined.apply(List.of(message(6, 7), message(7, 8)), List.of(), SelectedMailbox.unclaimed(7));
        examined.apply(List.of(message(8, 9)), List.of(), null);

        assertThat(examined.recentUids()).as("6 was claimed by then; no claim is remembered for 8")
                .containsExactlyInAnyOrder(5L, 7L);
    }

    @Test
    void setsShouldBeCompressedIntoRanges() {
        assertThat(ResponseText.set(new ArrayList<>(List.of(1L, 2L, 3L, 5L, 7L, 8L)))).isEqualTo("1:3,5,7:8");
        assertThat(ResponseText.orderedSet(List.of(5L, 3L, 4L))).isEqualTo("5,3,4");
        assertThat(ResponseText.quoted("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
    }
}
