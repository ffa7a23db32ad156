package dev.hato.store.mail;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.hato.store.directory.Account;
import dev.hato.store.directory.Directory;
import dev.hato.store.directory.NewAccount;
import dev.hato.store.mail.Mailboxes.AppendResult;
import dev.hato.store.mail.Mailboxes.CopyResult;
import dev.hato.store.mail.Mailboxes.FlagMode;
import dev.hato.store.mail.Mailboxes.FlagUpdate;
import dev.hato.store.mail.Mailboxes.MailboxEvent;
import dev.hato.store.mail.Mailboxes.Quota;
import dev.hato.store.mail.Mailboxes.RecentClaim;
import dev.hato.store.queue.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * What every {@link Mailboxes} must do (STYLE.md §6), with the {@link Directory} and {@link DeliveryWriter} of the
 * same store.
 */
public abstract class MailboxesContract {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();

    protected abstract Directory directory();

    protected abstract Mailboxes mailboxes();

    /** The content and facts of the same store's messages. */
    protected abstract Blobs blobs();

    protected abstract DeliveryWriter deliveries();

    /** A new account in a new domain. */
    protected Account freshAccount() {
        String domain = "b" + NEXT.incrementAndGet() + "-" + System.nanoTime() % 100_000 + ".example";
        directory().addDomain(domain).block(WAIT);
        return directory().addAccount(new NewAccount("bo@" + domain, "bo." + domain.replace('.', '-'), "Bo", null))
                .block(WAIT);
    }

    protected MailboxInfo box(Account account, String name) {
        return mailboxes().find(account.id(), name).blockOptional(WAIT).orElseThrow();
    }

    /** Facts that say which message they belong to, so a test can tell them apart. */
    public static MessageFacts facts(String subject) {
        return new MessageFacts(("structure of " + subject).getBytes(StandardCharsets.UTF_8),
                "subject: " + subject + "\n", "body of " + subject,
                new MessageFacts.SortFields(subject.toLowerCase(), "ann@example.org", "bo@example.org", "",
                        Instant.parse("2025-01-02T03:04:05Z"), "<" + subject + "@example.org>",
                        List.of("<a@example.org>", "<b@example.org>"), "Ann", "Bo"));
    }

    protected AppendResult append(Account account, MailboxInfo box, String subject, String... flags) {
        return mailboxes().append(account.id(), box.id(), TestContent.unique(subject), facts(subject), Set.of(flags),
                Instant.now()).block(WAIT);
    }

    protected List<MessageMeta> messages(Account account, MailboxInfo box) {
        return mailboxes().messages(account.id(), box.id()).collectList().block(WAIT);
    }

    protected List<Long> uids(Account account, MailboxInfo box) {
        return messages(account, box).stream().map(MessageMeta::uid).toList();
    }

    protected static MailboxException.Reason reasonOf(Mono<?> operation) {
        try {
            operation.block(WAIT);
        } catch (MailboxException e) {
            return e.reason();
        }
        throw new AssertionError("expected a MailboxException");
    }

    // --- mailboxes -----------------------------------------------------------------------------------------------

    @Test
    void aNewAccountShouldHaveInboxAndTheSpecialUseMailboxesAllSubscribed() {
        Account account = freshAccount();

        List<MailboxInfo> boxes = mailboxes().list(account.id()).collectList().block(WAIT);

        assertThat(boxes).extracting(MailboxInfo::name)
                .containsExactlyInAnyOrder("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive");
        assertThat(boxes).extracting(MailboxInfo::name, MailboxInfo::specialUse).contains(
                org.assertj.core.groups.Tuple.tuple("INBOX", null),
                org.assertj.core.groups.Tuple.tuple("Sent", "\\Sent"),
                org.assertj.core.groups.Tuple.tuple("Drafts", "\\Drafts"),
                org.assertj.core.groups.Tuple.tuple("Trash", "\\Trash"),
                org.assertj.core.groups.Tuple.tuple("Junk", "\\Junk"),
                org.assertj.core.groups.Tuple.tuple("Archive", "\\Archive"));
        assertThat(boxes).allSatisfy(box -> {
            assertThat(box.accountId()).isEqualTo(account.id());
            assertThat(box.uidNext()).isEqualTo(1);
            assertThat(box.uidValidity()).isBetween(1L, 4_294_967_295L);
        });
        assertThat(mailboxes().subscriptions(account.id()).collectList().block(WAIT))
                .containsExactlyInAnyOrder("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive");
    }

    @Test
    void createShouldCreateMissingSuperiorsAndGiveTheSpecialUseToTheNamedOneOnly() {
        Account account = freshAccount();

        MailboxInfo created = mailboxes().create(account.id(), "Projects/2026/日本語", "\\Flagged").block(WAIT);

        assertThat(created.name()).isEqualTo("Projects/2026/日本語");
        assertThat(created.specialUse()).isEqualTo("\\Flagged");
        assertThat(created.uidNext()).isEqualTo(1);
        assertThat(created.highestModseq()).isPositive();
        assertThat(box(account, "Projects").specialUse()).isNull();
        assertThat(box(account, "Projects/2026")).isNotNull();
        assertThat(box(account, "Projects/2026/日本語")).isEqualTo(created);
    }

    @Test
    void createShouldRefuseANameThatExists() {
        Account account = freshAccount();
        mailboxes().create(account.id(), "a/b", null).block(WAIT);

        assertThat(reasonOf(mailboxes().create(account.id(), "a/b", null)))
                .isEqualTo(MailboxException.Reason.ALREADY_EXISTS);
        assertThat(reasonOf(mailboxes().create(account.id(), "a", null)))
                .isEqualTo(MailboxException.Reason.ALREADY_EXISTS);
        assertThat(reasonOf(mailboxes().create(account.id(), "inBox", null)))
                .isEqualTo(MailboxException.Reason.ALREADY_EXISTS);
    }

    @Test
    void createShouldRefuseEmptyLevelsAndControlCharacters() {
        Account account = freshAccount();

        for (String name : List.of("", "a//b", "/a", "a/", "/", "a\tb", "a\u0000b")) {
            assertThat(reasonOf(mailboxes().create(account.id(), name, null))).as(name)
                    .isEqualTo(MailboxException.Reason.CANNOT);
        }
        assertThat(reasonOf(mailboxes().create(account.id(), "x", "\\Important")))
                .isEqualTo(MailboxException.Reason.CANNOT);
        assertThat(mailboxes().list(account.id()).count().block(WAIT)).isEqualTo(6);
    }

    @Test
    void inboxInAnyCaseShouldMeanInbox() {
        Account account = freshAccount();

        MailboxInfo child = mailboxes().create(account.id(), "inbox/Old", null).block(WAIT);

        assertThat(child.name()).isEqualTo("INBOX/Old");
        assertThat(box(account, "iNbOx").name()).isEqualTo("INBOX");
        assertThat(box(account, "Inbox/Old")).isEqualTo(child);
        assertThat(mailboxes().create(account.id(), "INBOX/old", null).block(WAIT).name())
                .as("only INBOX itself is case-insensitive").isEqualTo("INBOX/old");
    }

    @Test
    void findShouldBeEmptyForAMissingOrInvalidName() {
        Account account = freshAccount();

        assertThat(mailboxes().find(account.id(), "Nope").blockOptional(WAIT)).isEmpty();
        assertThat(mailboxes().find(account.id(), "a//b").blockOptional(WAIT)).isEmpty();
    }

    @Test
    void aMailboxCreatedAgainInTheSameSecondShouldGetALargerUidValidity() {
        Account account = freshAccount();
        long first = mailboxes().create(account.id(), "Again", null).block(WAIT).uidValidity();

        List<Long> validities = new ArrayList<>(List.of(first));
        for (int i = 0; i < 3; i++) {
            mailboxes().delete(account.id(), "Again").block(WAIT);
            validities.add(mailboxes().create(account.id(), "Again", null).block(WAIT).uidValidity());
        }

        assertThat(validities).isSorted().doesNotHaveDuplicates();
        assertThat(validities.get(0)).isGreaterThan(box(account, "INBOX").uidValidity());
    }

    @Test
    void deleteShouldRemoveTheMailboxAndItsMessagesButNotItsInferiors() {
        Account account = freshAccount();
        MailboxInfo parent = mailboxes().create(account.id(), "Parent", null).block(WAIT);
        mailboxes().create(account.id(), "Parent/Child", null).block(WAIT);
        append(account, parent, "one");

        mailboxes().delete(account.id(), "Parent").block(WAIT);

        assertThat(mailboxes().find(account.id(), "Parent").blockOptional(WAIT)).isEmpty();
        assertThat(mailboxes().find(account.id(), "Parent/Child").blockOptional(WAIT)).isPresent();
        assertThat(mailboxes().messages(account.id(), parent.id()).collectList().block(WAIT)).isEmpty();
    }

    @Test
    void deleteShouldRefuseInboxAndAMissingMailbox() {
        Account account = freshAccount();

        assertThat(reasonOf(mailboxes().delete(account.id(), "inbox"))).isEqualTo(MailboxException.Reason.CANNOT);
        assertThat(reasonOf(mailboxes().delete(account.id(), "Missing")))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    @Test
    void renameShouldMoveAllInferiorsAndKeepUidValidityAndMessages() {
        Account account = freshAccount();
        MailboxInfo a = mailboxes().create(account.id(), "a", null).block(WAIT);
        MailboxInfo ax = mailboxes().create(account.id(), "a/x", null).block(WAIT);
        MailboxInfo axy = mailboxes().create(account.id(), "a/x/y", null).block(WAIT);
        mailboxes().create(account.id(), "ab", null).block(WAIT);
        append(account, ax, "kept");

        mailboxes().rename(account.id(), "a", "new/b").block(WAIT);

        assertThat(mailboxes().find(account.id(), "a").blockOptional(WAIT)).isEmpty();
        assertThat(box(account, "new/b")).extracting(MailboxInfo::id, MailboxInfo::uidValidity)
                .containsExactly(a.id(), a.uidValidity());
        assertThat(box(account, "new/b/x")).extracting(MailboxInfo::id, MailboxInfo::uidValidity)
                .containsExactly(ax.id(), ax.uidValidity());
        assertThat(box(account, "new/b/x/y").id()).isEqualTo(axy.id());
        assertThat(box(account, "new").specialUse()).isNull();
        assertThat(box(account, "ab").name()).as("a sibling that shares a prefix stays").isEqualTo("ab");
        assertThat(uids(account, box(account, "new/b/x"))).containsExactly(1L);
    }

    @Test
    void renameShouldRefuseWhenTheTargetOrAnInferiorsTargetExists() {
        Account account = freshAccount();
        mailboxes().create(account.id(), "a/x", null).block(WAIT);
        mailboxes().create(account.id(), "b/x", null).block(WAIT);
        mailboxes().create(account.id(), "c", null).block(WAIT);

        assertThat(reasonOf(mailboxes().rename(account.id(), "a", "c")))
                .isEqualTo(MailboxException.Reason.ALREADY_EXISTS);
        mailboxes().delete(account.id(), "b").block(WAIT);
        assertThat(reasonOf(mailboxes().rename(account.id(), "a", "b")))
                .as("b itself is gone, but b/x would be a/x's new name").isEqualTo(MailboxException.Reason.ALREADY_EXISTS);
        assertThat(reasonOf(mailboxes().rename(account.id(), "a", "INBOX")))
                .isEqualTo(MailboxException.Reason.ALREADY_EXISTS);
        assertThat(box(account, "a/x")).isNotNull();
    }

    @Test
    void renameShouldRefuseAMissingSourceAndAMoveIntoItself() {
        Account account = freshAccount();
        mailboxes().create(account.id(), "a", null).block(WAIT);

        assertThat(reasonOf(mailboxes().rename(account.id(), "zz", "yy")))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
        assertThat(reasonOf(mailboxes().rename(account.id(), "a", "a/b")))
                .isEqualTo(MailboxException.Reason.CANNOT);
        assertThat(reasonOf(mailboxes().rename(account.id(), "a", "x//y")))
                .isEqualTo(MailboxException.Reason.CANNOT);
    }

    @Test
    void renameToItsOwnSuperiorShouldMoveInferiorsOverEachOthersOldNames() {
        Account account = freshAccount();
        MailboxInfo ab = mailboxes().create(account.id(), "a/b", null).block(WAIT);
        MailboxInfo abb = mailboxes().create(account.id(), "a/b/b", null).block(WAIT);
        mailboxes().delete(account.id(), "a").block(WAIT);

        mailboxes().rename(account.id(), "a/b", "a").block(WAIT);

        assertThat(box(account, "a").id()).isEqualTo(ab.id());
        assertThat(box(account, "a/b").id()).isEqualTo(abb.id());
        assertThat(mailboxes().find(account.id(), "a/b/b").blockOptional(WAIT)).isEmpty();
    }

    @Test
    void renamingInboxShouldMoveItsMessagesToANewMailboxAndLeaveInboxEmpty() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo child = mailboxes().create(account.id(), "INBOX/Child", null).block(WAIT);
        append(account, inbox, "first", "\\Seen");
        append(account, inbox, "second");
        mailboxes().expunge(account.id(), inbox.id(), List.of(1L)).block(WAIT);
        append(account, inbox, "third", "$Label1");

        mailboxes().rename(account.id(), "INBOX", "Old/Inbox").block(WAIT);

        MailboxInfo old = box(account, "Old/Inbox");
        assertThat(old.id()).isNotEqualTo(inbox.id());
        assertThat(old.uidValidity()).isNotEqualTo(inbox.uidValidity());
        List<MessageMeta> moved = messages(account, old);
        assertThat(moved).extracting(MessageMeta::uid).containsExactly(1L, 2L);
        assertThat(moved.get(1).flags()).containsExactly("$Label1");
        MailboxInfo after = box(account, "INBOX");
        assertThat(after.id()).isEqualTo(inbox.id());
        assertThat(after.uidValidity()).isEqualTo(inbox.uidValidity());
        assertThat(after.uidNext()).as("UIDs are never reused").isEqualTo(4);
        assertThat(messages(account, after)).isEmpty();
        assertThat(mailboxes().expungedSince(account.id(), inbox.id(), 0).collectList().block(WAIT))
                .containsExactly(1L, 2L, 3L);
        assertThat(box(account, "INBOX/Child")).isEqualTo(child);
    }

    @Test
    void inboxMayBeRenamedToItsOwnInferior() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "kept");

        mailboxes().rename(account.id(), "inbox", "INBOX/Before 2026").block(WAIT);

        assertThat(uids(account, box(account, "INBOX/Before 2026"))).containsExactly(1L);
        assertThat(messages(account, inbox)).isEmpty();
    }

    @Test
    void moveWithinOneMailboxShouldGiveNewUidsAndExpungeTheOldOnes() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "1");
        append(account, inbox, "2");

        CopyResult result = mailboxes().copy(account.id(), inbox.id(), List.of(1L), inbox.id(), true).block(WAIT);

        assertThat(result.targetUids()).containsExactly(3L);
        assertThat(uids(account, inbox)).containsExactly(2L, 3L);
    }

    @Test
    void renameShouldLeaveSubscriptionsAsTheyAre() {
        Account account = freshAccount();
        mailboxes().create(account.id(), "Lists/Hato", null).block(WAIT);
        mailboxes().subscribe(account.id(), "Lists/Hato", true).block(WAIT);

        mailboxes().rename(account.id(), "Lists", "Groups").block(WAIT);

        assertThat(mailboxes().subscriptions(account.id()).collectList().block(WAIT))
                .contains("Lists/Hato").doesNotContain("Groups/Hato");
    }

    @Test
    void subscriptionsShouldNameMailboxesWhetherOrNotTheyExist() {
        Account account = freshAccount();

        mailboxes().subscribe(account.id(), "Not/There", true).block(WAIT);
        mailboxes().subscribe(account.id(), "Not/There", true).block(WAIT);
        mailboxes().subscribe(account.id(), "Junk", false).block(WAIT);
        mailboxes().subscribe(account.id(), "Never", false).block(WAIT);

        assertThat(mailboxes().subscriptions(account.id()).collectList().block(WAIT))
                .containsExactlyInAnyOrder("INBOX", "Sent", "Drafts", "Trash", "Archive", "Not/There");
        assertThat(reasonOf(mailboxes().subscribe(account.id(), "a//b", true)))
                .isEqualTo(MailboxException.Reason.CANNOT);
    }

    // --- status, recent --------------------------------------------------------------------------------------

    @Test
    void statusShouldCountMessagesRecentUnseenSizeAndDeleted() {
        Account account = freshAccount();
        MailboxInfo box = mailboxes().create(account.id(), "Counted", null).block(WAIT);
        append(account, box, "seen", "\\Seen");
        append(account, box, "deleted", "\\Deleted", "\\Seen");
        mailboxes().claimRecent(account.id(), box.id()).block(WAIT);
        AppendResult last = append(account, box, "new");
        long size = messages(account, box).stream().mapToLong(MessageMeta::size).sum();

        MailboxStatus status = mailboxes().status(account.id(), box.id()).block(WAIT);

        assertThat(status).isEqualTo(new MailboxStatus(3, 1, 1, 4, box.uidValidity(), last.modseq(), size, 1));
    }

    @Test
    void statusOfAnEmptyMailboxShouldBeZeroesAndOfAMissingOneNonexistent() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");

        assertThat(mailboxes().status(account.id(), inbox.id()).block(WAIT))
                .isEqualTo(new MailboxStatus(0, 0, 0, 1, inbox.uidValidity(), inbox.highestModseq(), 0, 0));
        assertThat(reasonOf(mailboxes().status(account.id(), Long.MAX_VALUE)))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
        Account other = freshAccount();
        assertThat(reasonOf(mailboxes().status(other.id(), inbox.id())))
                .as("another account's mailbox").isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    @Test
    void onlyTheFirstSessionShouldSeeAMessageAsRecent() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1");
        append(account, box, "2");

        RecentClaim first = mailboxes().claimRecent(account.id(), box.id()).block(WAIT);
        RecentClaim second = mailboxes().claimRecent(account.id(), box.id()).block(WAIT);
        append(account, box, "3");
        RecentClaim third = mailboxes().claimRecent(account.id(), box.id()).block(WAIT);

        assertThat(first).as("UIDs 1 and 2 are recent for the first").isEqualTo(new RecentClaim(1, 3));
        assertThat(second).as("nothing is recent for the second, all below 3 is claimed")
                .isEqualTo(new RecentClaim(3, 3));
        assertThat(third).as("UID 3 is recent for the third").isEqualTo(new RecentClaim(3, 4));
        assertThat(box(account, "INBOX").firstRecentUid()).isEqualTo(4);
    }

    @Test
    void aClaimShouldSayUpToWhichUidEverythingIsClaimedEvenWhenItGotNothing() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");

        RecentClaim empty = mailboxes().claimRecent(account.id(), box.id()).block(WAIT);
        append(account, box, "1");
        append(account, box, "2");
        RecentClaim both = mailboxes().claimRecent(account.id(), box.id()).block(WAIT);
        RecentClaim none = mailboxes().claimRecent(account.id(), box.id()).block(WAIT);

        assertThat(empty).isEqualTo(new RecentClaim(1, 1));
        assertThat(empty.covers(1)).isFalse();
        assertThat(both.covers(1) && both.covers(2)).as("the second claim gets UIDs 1 and 2").isTrue();
        assertThat(both.covers(3)).as("UID 3 does not exist yet").isFalse();
        assertThat(none.until()).as("everything below UIDNEXT 3 is claimed").isEqualTo(3);
        assertThat(none.covers(1) || none.covers(2)).as("the third gets nothing").isFalse();
        assertThat(reasonOf(mailboxes().claimRecent(account.id(), Long.MAX_VALUE)))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    // --- flags ------------------------------------------------------------------------------------------------

    @Test
    void storeShouldAddRemoveAndReplaceFlagsCanonically() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1");
        append(account, box, "2", "\\Flagged");

        FlagUpdate added = mailboxes().store(account.id(), box.id(), List.of(1L, 2L), FlagMode.ADD,
                Set.of("\\seen", "\\RECENT", "$Work"), null).block(WAIT);
        assertThat(added.changed()).extracting(MessageMeta::flags).containsExactly(
                Set.of("\\Seen", "$Work"), Set.of("\\Flagged", "\\Seen", "$Work"));

        FlagUpdate removed = mailboxes().store(account.id(), box.id(), List.of(2L), FlagMode.REMOVE,
                Set.of("$WORK", "\\flagged"), null).block(WAIT);
        assertThat(removed.changed()).extracting(MessageMeta::flags).containsExactly(Set.of("\\Seen"));

        FlagUpdate replaced = mailboxes().store(account.id(), box.id(), List.of(1L), FlagMode.REPLACE,
                Set.of("\\Answered", "\\Draft", "\\Deleted"), null).block(WAIT);
        assertThat(replaced.changed()).extracting(MessageMeta::flags)
                .containsExactly(Set.of("\\Answered", "\\Draft", "\\Deleted"));
        assertThat(messages(account, box)).extracting(MessageMeta::flags).containsExactly(
                Set.of("\\Answered", "\\Draft", "\\Deleted"), Set.of("\\Seen"));
    }

    @Test
    void replacingWithNoFlagsShouldClearThemAll() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1", "\\Seen", "$Work");
        append(account, box, "2");

        FlagUpdate cleared = mailboxes().store(account.id(), box.id(), List.of(1L, 2L), FlagMode.REPLACE, Set.of(),
                null).block(WAIT);

        assertThat(cleared.changed()).extracting(MessageMeta::uid).containsExactly(1L);
        assertThat(messages(account, box)).allSatisfy(meta -> assertThat(meta.flags()).isEmpty());
    }

    @Test
    void keywordsShouldKeepTheirFirstSpellingAndCompareCaseInsensitively() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1", "$Later");

        FlagUpdate again = mailboxes().store(account.id(), box.id(), List.of(1L), FlagMode.ADD,
                Set.of("$LATER"), null).block(WAIT);
        FlagUpdate replaced = mailboxes().store(account.id(), box.id(), List.of(1L), FlagMode.REPLACE,
                Set.of("$later"), null).block(WAIT);

        assertThat(again.changed()).isEmpty();
        assertThat(replaced.changed()).isEmpty();
        assertThat(messages(account, box).get(0).flags()).containsExactly("$Later");
    }

    @Test
    void aStoreThatChangesNothingShouldKeepEveryModseq() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1", "\\Seen");
        append(account, box, "2");
        long before = box(account, "INBOX").highestModseq();

        FlagUpdate update = mailboxes().store(account.id(), box.id(), List.of(1L, 99L), FlagMode.ADD,
                Set.of("\\Seen"), null).block(WAIT);
        FlagUpdate partly = mailboxes().store(account.id(), box.id(), List.of(1L, 2L), FlagMode.ADD,
                Set.of("\\Seen"), null).block(WAIT);

        assertThat(update).isEqualTo(new FlagUpdate(List.of(), List.of()));
        assertThat(partly.changed()).extracting(MessageMeta::uid).containsExactly(2L);
        assertThat(partly.changed().get(0).modseq()).isEqualTo(before + 1);
        assertThat(messages(account, box).get(0).modseq()).isLessThan(before + 1);
        assertThat(box(account, "INBOX").highestModseq()).isEqualTo(before + 1);
    }

    @Test
    void storeWithUnchangedSinceShouldLeaveMessagesModifiedSinceAlone() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1");
        AppendResult second = append(account, box, "2");
        FlagUpdate touched = mailboxes().store(account.id(), box.id(), List.of(1L), FlagMode.ADD,
                Set.of("$Touched"), null).block(WAIT);
        long touchedModseq = touched.changed().get(0).modseq();

        FlagUpdate update = mailboxes().store(account.id(), box.id(), List.of(1L, 2L), FlagMode.ADD,
                Set.of("\\Seen"), second.modseq()).block(WAIT);

        assertThat(update.modified()).containsExactly(1L);
        assertThat(update.changed()).extracting(MessageMeta::uid).containsExactly(2L);
        assertThat(messages(account, box).get(0)).satisfies(meta -> {
            assertThat(meta.flags()).containsExactly("$Touched");
            assertThat(meta.modseq()).isEqualTo(touchedModseq);
        });
        FlagUpdate zero = mailboxes().store(account.id(), box.id(), List.of(1L, 2L), FlagMode.ADD,
                Set.of("$Other"), 0L).block(WAIT);
        assertThat(zero).as("RFC 7162: UNCHANGEDSINCE 0 always fails")
                .isEqualTo(new FlagUpdate(List.of(), List.of(1L, 2L)));
    }

    @Test
    void storeShouldRefuseFlagsNoMessageCanCarry() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1");

        for (String flag : List.of("\\Important", "with space", "", "a(b")) {
            assertThat(reasonOf(mailboxes().store(account.id(), box.id(), List.of(1L), FlagMode.ADD, Set.of(flag),
                    null))).as(flag).isEqualTo(MailboxException.Reason.CANNOT);
        }
        assertThat(reasonOf(mailboxes().store(account.id(), Long.MAX_VALUE, List.of(1L), FlagMode.ADD,
                Set.of("\\Seen"), null))).isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    @Test
    void changedSinceShouldListMessagesWithAHigherModseqInUidOrder() {
        Account account = freshAccount();
        MailboxInfo box = box(account, "INBOX");
        append(account, box, "1");
        AppendResult second = append(account, box, "2");
        append(account, box, "3");
        mailboxes().store(account.id(), box.id(), List.of(1L), FlagMode.ADD, Set.of("\\Seen"), null).block(WAIT);

        List<MessageMeta> changed = mailboxes().changedSince(account.id(), box.id(), second.modseq())
                .collectList().block(WAIT);

        assertThat(changed).extracting(MessageMeta::uid).containsExactly(1L, 3L);
    }

    // --- append ------------------------------------------------------------------------------------------------

    @Test
    void appendShouldStoreTheMessageWithFlagsDateAndFactsAndGiveItTheNextUid() {
        Account account = freshAccount();
        MailboxInfo drafts = box(account, "Drafts");
        Instant date = Instant.parse("2024-12-24T18:00:00.123456789Z");
        TestContent content = TestContent.unique("draft");

        AppendResult first = mailboxes().append(account.id(), drafts.id(), content, facts("draft"),
                Set.of("\\draft", "\\Recent", "$Mine"), date).block(WAIT);
        AppendResult second = append(account, drafts, "another");

        assertThat(first.uidValidity()).isEqualTo(drafts.uidValidity());
        assertThat(first.uid()).isEqualTo(1);
        assertThat(second.uid()).isEqualTo(2);
        assertThat(second.modseq()).isGreaterThan(first.modseq());
        MessageMeta stored = messages(account, drafts).get(0);
        assertThat(stored.flags()).containsExactlyInAnyOrder("\\Draft", "$Mine");
        assertThat(stored.internalDate()).isEqualTo(date.truncatedTo(ChronoUnit.MICROS));
        assertThat(stored.size()).isEqualTo(content.size());
        assertThat(stored.modseq()).isEqualTo(first.modseq());
        assertThat(blobs().structure(stored.blobId()).block(WAIT))
                .isEqualTo("structure of draft".getBytes(StandardCharsets.UTF_8));
        assertThat(box(account, "Drafts").uidNext()).isEqualTo(3);
    }

    @Test
    void appendOfTheSameBytesTwiceShouldShareTheBlobAndKeepTheFirstFacts() {
        Account account = freshAccount();
        TestContent content = TestContent.unique("twice");
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo sent = box(account, "Sent");

        mailboxes().append(account.id(), inbox.id(), content, facts("first"), Set.of(), Instant.now()).block(WAIT);
        mailboxes().append(account.id(), sent.id(), content, facts("second"), Set.of(), Instant.now()).block(WAIT);

        long blob = messages(account, inbox).get(0).blobId();
        assertThat(messages(account, sent).get(0).blobId()).isEqualTo(blob);
        assertThat(new String(blobs().structure(blob).block(WAIT), StandardCharsets.UTF_8))
                .isEqualTo("structure of first");
    }

    @Test
    void digestsShouldBeTheSha256OfEachBlobsOctetsAsTheDefaultReadsThem() {
        Account account = freshAccount();
        TestContent small = TestContent.unique("digest");
        TestContent large = TestContent.random(700 * 1024 + 3);
        MailboxInfo inbox = box(account, "INBOX");
        mailboxes().append(account.id(), inbox.id(), small, facts("small"), Set.of(), Instant.now()).block(WAIT);
        mailboxes().append(account.id(), inbox.id(), large, facts("large"), Set.of(), Instant.now()).block(WAIT);
        List<Long> ids = messages(account, inbox).stream().map(MessageMeta::blobId).toList();
        Blobs onlyContent = new Blobs() {
            @Override
            public reactor.core.publisher.Flux<java.nio.ByteBuffer> content(long blobId) {
                return blobs().content(blobId);
            }

            @Override
            public Mono<Map<Long, java.nio.ByteBuffer>> heads(Map<Long, Integer> lengths) {
                return blobs().heads(lengths);
            }

            @Override
            public Mono<byte[]> structure(long blobId) {
                return blobs().structure(blobId);
            }

            @Override
            public Mono<Map<Long, byte[]>> structures(java.util.Collection<Long> blobIds) {
                return blobs().structures(blobIds);
            }

            @Override
            public Mono<Map<Long, String>> previews(java.util.Collection<Long> blobIds) {
                return blobs().previews(blobIds);
            }

            @Override
            public Mono<Void> storePreview(long blobId, String preview) {
                return blobs().storePreview(blobId, preview);
            }

            @Override
            public Mono<Void> storeFacts(long blobId, MessageFacts facts) {
                return blobs().storeFacts(blobId, facts);
            }
        };

        for (Blobs reader : List.of(blobs(), onlyContent)) {
            Map<Long, byte[]> digests = reader.digests(List.of(ids.get(0), ids.get(1), Long.MAX_VALUE))
                    .block(WAIT);
            assertThat(digests).containsOnlyKeys(ids.get(0), ids.get(1));
            assertThat(digests.get(ids.get(0))).isEqualTo(small.sha256());
            assertThat(digests.get(ids.get(1))).isEqualTo(large.sha256());
        }
        assertThat(blobs().digests(List.of()).block(WAIT)).isEmpty();
    }

    @Test
    void appendOfALargeMessageShouldStoreAllOfIt() {
        Account account = freshAccount();
        TestContent content = TestContent.random(700 * 1024 + 3);

        AppendResult result = mailboxes().append(account.id(), box(account, "INBOX").id(), content, facts("large"),
                Set.of(), Instant.now()).block(WAIT);

        assertThat(result.uid()).isEqualTo(1);
        assertThat(messages(account, box(account, "INBOX")).get(0).size()).isEqualTo(content.size());
    }

    @Test
    void appendToAMissingMailboxShouldBeRefusedAndContentThatLiesShouldFail() {
        Account account = freshAccount();

        assertThat(reasonOf(mailboxes().append(account.id(), Long.MAX_VALUE, TestContent.unique("x"), facts("x"),
                Set.of(), Instant.now()))).isEqualTo(MailboxException.Reason.NONEXISTENT);
        assertThatThrownBy(() -> mailboxes().append(account.id(), box(account, "INBOX").id(),
                TestContent.unique("lie").withWrongSha256(), facts("lie"), Set.of(), Instant.now()).block(WAIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(messages(account, box(account, "INBOX"))).isEmpty();
    }

    @Test
    void structuresShouldReadTheFactsOfSeveralBlobsAtOnce() {
        Account account = freshAccount();
        DeliveryReceipt with = deliveries().deliver(new Delivery(TestContent.unique("with facts"),
                List.of(account.id()), Instant.now(), Envelope.NONE, List.of(), facts("with"))).block(WAIT);
        DeliveryReceipt without = deliveries().deliver(new Delivery(TestContent.unique("without facts"),
                List.of(account.id()), Instant.now())).block(WAIT);

        Map<Long, byte[]> structures = blobs().structures(List.of(with.blobId(), without.blobId(),
                Long.MAX_VALUE)).block(WAIT);

        assertThat(structures).containsOnlyKeys(with.blobId());
        assertThat(new String(structures.get(with.blobId()), StandardCharsets.UTF_8)).isEqualTo("structure of with");
        assertThat(blobs().structures(List.of()).block(WAIT)).isEmpty();
    }

    @Test
    void storeFactsShouldFillInFactsOnceAndKeepThem() {
        Account account = freshAccount();
        DeliveryReceipt receipt = deliveries().deliver(new Delivery(TestContent.unique("old"), List.of(account.id()),
                Instant.now())).block(WAIT);

        assertThat(blobs().structure(receipt.blobId()).blockOptional(WAIT)).isEmpty();
        blobs().storeFacts(receipt.blobId(), facts("backfilled")).block(WAIT);
        blobs().storeFacts(receipt.blobId(), facts("later")).block(WAIT);

        assertThat(new String(blobs().structure(receipt.blobId()).block(WAIT), StandardCharsets.UTF_8))
                .isEqualTo("structure of backfilled");
        assertThatThrownBy(() -> blobs().storeFacts(Long.MAX_VALUE, facts("none")).block(WAIT))
                .isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void previewsShouldBeStoredWithTheFactsAndFilledInOnceForFactsWithout() {
        Account account = freshAccount();
        MessageFacts withPreview = new MessageFacts(facts("new").structure(), "h", "b", facts("new").sort(),
                "caf\u00e9 \u65e5\u672c");
        DeliveryReceipt fresh = deliveries().deliver(new Delivery(TestContent.unique("with preview"),
                List.of(account.id()), Instant.now(), Envelope.NONE, List.of(), withPreview)).block(WAIT);
        DeliveryReceipt old = deliveries().deliver(new Delivery(TestContent.unique("facts without preview"),
                List.of(account.id()), Instant.now(), Envelope.NONE, List.of(), facts("old"))).block(WAIT);
        DeliveryReceipt bare = deliveries().deliver(new Delivery(TestContent.unique("no facts"),
                List.of(account.id()), Instant.now())).block(WAIT);

        assertThat(blobs().previews(List.of(fresh.blobId(), old.blobId(), bare.blobId())).block(WAIT))
                .isEqualTo(Map.of(fresh.blobId(), "caf\u00e9 \u65e5\u672c"));
        blobs().storePreview(old.blobId(), "made later").block(WAIT);
        blobs().storePreview(old.blobId(), "made again").block(WAIT);
        blobs().storePreview(fresh.blobId(), "replaced?").block(WAIT);
        blobs().storePreview(bare.blobId(), "no facts to hold it").block(WAIT);

        assertThat(blobs().previews(List.of(fresh.blobId(), old.blobId(), bare.blobId())).block(WAIT))
                .isEqualTo(Map.of(fresh.blobId(), "caf\u00e9 \u65e5\u672c", old.blobId(), "made later"));
        assertThat(blobs().previews(List.of()).block(WAIT)).isEmpty();
    }

    @Test
    void aDeliveryShouldStoreTheFactsItCarries() {
        Account account = freshAccount();

        DeliveryReceipt receipt = deliveries().deliver(new Delivery(TestContent.unique("delivered"),
                List.of(account.id()), Instant.now(), Envelope.NONE, List.of(), facts("delivered"))).block(WAIT);

        assertThat(new String(blobs().structure(receipt.blobId()).block(WAIT), StandardCharsets.UTF_8))
                .isEqualTo("structure of delivered");
    }

    // --- copy, move, expunge ---------------------------------------------------------------------------------

    @Test
    void copyShouldGiveTheCopiesConsecutiveUidsInSourceOrderAndKeepFlags() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo archive = box(account, "Archive");
        append(account, archive, "already there");
        append(account, inbox, "1", "\\Seen");
        append(account, inbox, "2");
        append(account, inbox, "3", "\\Flagged", "$Keep");
        mailboxes().claimRecent(account.id(), archive.id()).block(WAIT);

        CopyResult result = mailboxes().copy(account.id(), inbox.id(), List.of(3L, 1L, 42L), archive.id(), false)
                .block(WAIT);

        assertThat(result).isEqualTo(new CopyResult(archive.uidValidity(), List.of(1L, 3L), List.of(2L, 3L)));
        assertThat(uids(account, inbox)).containsExactly(1L, 2L, 3L);
        List<MessageMeta> copies = messages(account, archive);
        assertThat(copies).extracting(MessageMeta::uid).containsExactly(1L, 2L, 3L);
        assertThat(copies.get(1).flags()).containsExactly("\\Seen");
        assertThat(copies.get(2).flags()).containsExactlyInAnyOrder("\\Flagged", "$Keep");
        assertThat(copies.get(1).blobId()).isEqualTo(messages(account, inbox).get(0).blobId());
        assertThat(mailboxes().status(account.id(), archive.id()).block(WAIT).recent())
                .as("copies are recent in the target").isEqualTo(2);
    }

    @Test
    void copiesShouldKeepTheOriginOfTheirSourceThroughMovesCopiesOfCopiesAndFlagChanges() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo archive = box(account, "Archive");
        MailboxInfo trash = box(account, "Trash");
        append(account, inbox, "1");
        append(account, inbox, "2");
        MessageMeta original = messages(account, inbox).get(1);
        assertThat(original.originMailboxId()).as("stored where it is").isEqualTo(inbox.id());
        assertThat(original.originUid()).isEqualTo(2L);

        mailboxes().copy(account.id(), inbox.id(), List.of(2L), archive.id(), false).block(WAIT);
        mailboxes().copy(account.id(), archive.id(), List.of(1L), trash.id(), true).block(WAIT);
        mailboxes().copy(account.id(), trash.id(), List.of(1L), trash.id(), false).block(WAIT);
        Mailboxes.FlagUpdate update = mailboxes().store(account.id(), trash.id(), List.of(2L),
                Mailboxes.FlagMode.ADD, Set.of("\\Seen"), null).block(WAIT);

        assertThat(messages(account, trash)).extracting(MessageMeta::uid, MessageMeta::originMailboxId,
                        MessageMeta::originUid)
                .containsExactly(tuple(1L, inbox.id(), 2L), tuple(2L, inbox.id(), 2L));
        assertThat(update.changed()).extracting(MessageMeta::originMailboxId, MessageMeta::originUid)
                .containsExactly(tuple(inbox.id(), 2L));
        assertThat(messages(account, inbox).get(0).originUid()).isEqualTo(1L);
    }

    @Test
    void moveShouldExpungeTheOriginalsInTheSameStep() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo trash = box(account, "Trash");
        append(account, inbox, "1");
        AppendResult second = append(account, inbox, "2");
        append(account, inbox, "3");

        CopyResult result = mailboxes().copy(account.id(), inbox.id(), List.of(1L, 2L), trash.id(), true).block(WAIT);

        assertThat(result).isEqualTo(new CopyResult(trash.uidValidity(), List.of(1L, 2L), List.of(1L, 2L)));
        assertThat(uids(account, inbox)).containsExactly(3L);
        assertThat(uids(account, trash)).containsExactly(1L, 2L);
        assertThat(mailboxes().expungedSince(account.id(), inbox.id(), second.modseq()).collectList().block(WAIT))
                .containsExactly(1L, 2L);
    }

    @Test
    void copyOfNothingShouldChangeNothingAndAMissingMailboxShouldBeNonexistent() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo sent = box(account, "Sent");

        CopyResult result = mailboxes().copy(account.id(), inbox.id(), List.of(5L), sent.id(), false).block(WAIT);

        assertThat(result).isEqualTo(new CopyResult(sent.uidValidity(), List.of(), List.of()));
        assertThat(box(account, "Sent")).isEqualTo(sent);
        assertThat(reasonOf(mailboxes().copy(account.id(), inbox.id(), List.of(1L), Long.MAX_VALUE, false)))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
        assertThat(reasonOf(mailboxes().copy(account.id(), Long.MAX_VALUE, List.of(1L), sent.id(), true)))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    @Test
    void copyAndStoreShouldHandleTenThousandMessagesAtOnce() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "seed");
        for (int i = 0; i < 14; i++) { // doubling: 2^14 = 16,384 messages
            mailboxes().copy(account.id(), inbox.id(), uids(account, inbox), inbox.id(), false).block(WAIT);
        }
        List<Long> tenThousand = LongStream.rangeClosed(1, 10_000).boxed().toList();
        MailboxInfo trash = box(account, "Trash");

        FlagUpdate update = mailboxes().store(account.id(), inbox.id(), tenThousand, FlagMode.ADD, Set.of("\\Seen"),
                null).block(WAIT);
        CopyResult moved = mailboxes().copy(account.id(), inbox.id(), tenThousand, trash.id(), true).block(WAIT);

        assertThat(update.changed()).hasSize(10_000);
        assertThat(update.changed()).extracting(MessageMeta::modseq).containsOnly(update.changed().get(0).modseq());
        assertThat(moved.targetUids()).hasSize(10_000).startsWith(1L).endsWith(10_000L);
        assertThat(mailboxes().status(account.id(), inbox.id()).block(WAIT).messages()).isEqualTo(16_384 - 10_000);
        assertThat(mailboxes().status(account.id(), trash.id()).block(WAIT).unseen()).isZero();
    }

    @Test
    void expungeShouldRemoveMessagesAndExpungedSinceShouldReportThem() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "1");
        AppendResult second = append(account, inbox, "2");
        append(account, inbox, "3");

        mailboxes().expunge(account.id(), inbox.id(), List.of(1L)).block(WAIT);
        long afterFirst = box(account, "INBOX").highestModseq();
        mailboxes().expunge(account.id(), inbox.id(), List.of(3L, 77L)).block(WAIT);

        assertThat(uids(account, inbox)).containsExactly(2L);
        assertThat(mailboxes().expungedSince(account.id(), inbox.id(), second.modseq()).collectList().block(WAIT))
                .containsExactly(1L, 3L);
        assertThat(mailboxes().expungedSince(account.id(), inbox.id(), afterFirst).collectList().block(WAIT))
                .containsExactly(3L);
        assertThat(append(account, inbox, "4").uid()).as("UIDs are never reused").isEqualTo(4);
    }

    // --- quota ---------------------------------------------------------------------------------------------------

    @Test
    void quotaShouldReportUsageOverAllMailboxesAndTheLimits() {
        Account account = freshAccount();
        TestContent a = TestContent.unique("a");
        TestContent b = TestContent.unique("b");
        mailboxes().append(account.id(), box(account, "INBOX").id(), a, facts("a"), Set.of(), Instant.now()).block(WAIT);
        mailboxes().append(account.id(), box(account, "Sent").id(), b, facts("b"), Set.of(), Instant.now()).block(WAIT);

        assertThat(mailboxes().quota(account.id()).block(WAIT))
                .isEqualTo(new Quota(a.size() + b.size(), null, 2, null));
        mailboxes().setQuota(account.id(), 1_000_000L, 50L).block(WAIT);
        assertThat(mailboxes().quota(account.id()).block(WAIT))
                .isEqualTo(new Quota(a.size() + b.size(), 1_000_000L, 2, 50L));
        mailboxes().setQuota(account.id(), null, null).block(WAIT);
        assertThat(mailboxes().quota(account.id()).block(WAIT).limitOctets()).isNull();
        assertThat(reasonOf(mailboxes().quota(Long.MAX_VALUE))).isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    @Test
    void quotaToEnforceShouldCountUsageOnlyForAnAccountWithALimit() {
        Account account = freshAccount();
        TestContent a = TestContent.unique("enforced");
        mailboxes().append(account.id(), box(account, "INBOX").id(), a, facts("a"), Set.of(), Instant.now()).block(WAIT);

        assertThat(mailboxes().quotaToEnforce(account.id()).block(WAIT)).isEqualTo(new Quota(0, null, 0, null));
        mailboxes().setQuota(account.id(), null, 50L).block(WAIT);
        assertThat(mailboxes().quotaToEnforce(account.id()).block(WAIT)).isEqualTo(new Quota(a.size(), null, 1, 50L));
        mailboxes().setQuota(account.id(), 1_000_000L, null).block(WAIT);
        assertThat(mailboxes().quotaToEnforce(account.id()).block(WAIT))
                .isEqualTo(mailboxes().quota(account.id()).block(WAIT));
        assertThat(reasonOf(mailboxes().quotaToEnforce(Long.MAX_VALUE)))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    @Test
    void appendAndCopyShouldBeRefusedOverQuotaButMoveAllowed() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo archive = box(account, "Archive");
        append(account, inbox, "1");
        append(account, inbox, "2");
        mailboxes().setQuota(account.id(), null, 3L).block(WAIT);
        append(account, inbox, "3");

        assertThat(reasonOf(mailboxes().append(account.id(), inbox.id(), TestContent.unique("4"), facts("4"),
                Set.of(), Instant.now()))).isEqualTo(MailboxException.Reason.OVER_QUOTA);
        assertThat(reasonOf(mailboxes().copy(account.id(), inbox.id(), List.of(1L), archive.id(), false)))
                .isEqualTo(MailboxException.Reason.OVER_QUOTA);
        assertThat(mailboxes().copy(account.id(), inbox.id(), List.of(1L, 2L, 3L), archive.id(), true).block(WAIT)
                .targetUids()).hasSize(3);

        long used = mailboxes().quota(account.id()).block(WAIT).usedOctets();
        mailboxes().setQuota(account.id(), used + 10, null).block(WAIT);
        assertThat(reasonOf(mailboxes().append(account.id(), inbox.id(), TestContent.unique("big"), facts("big"),
                Set.of(), Instant.now()))).isEqualTo(MailboxException.Reason.OVER_QUOTA);
        assertThat(mailboxes().quota(account.id()).block(WAIT))
                .isEqualTo(new Quota(used, used + 10, 3, null));
        assertThat(box(account, "INBOX").uidNext()).as("a refused append takes no UID").isEqualTo(4);
    }

    @Test
    void saveDateShouldBeWhenTheMessageEnteredItsMailboxNotItsInternalDate() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo archive = box(account, "Archive");
        Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
        Instant old = Instant.parse("2001-02-03T04:05:06Z");
        mailboxes().append(account.id(), inbox.id(), TestContent.unique("a"), facts("a"), Set.of(), old).block(WAIT);
        MessageMeta appended = messages(account, inbox).get(0);
        // RFC 8514 §3: the save date is the moment of saving, whatever internal date APPEND gave.
        assertThat(appended.internalDate()).isEqualTo(old);
        assertThat(appended.saveDate()).isNotNull().isAfterOrEqualTo(before);

        mailboxes().copy(account.id(), inbox.id(), List.of(1L), archive.id(), false).block(WAIT);
        mailboxes().copy(account.id(), inbox.id(), List.of(1L), archive.id(), true).block(WAIT);

        // COPY and MOVE give the new message a new save date and keep the internal date; the source keeps its own.
        List<MessageMeta> copies = messages(account, archive);
        assertThat(copies).hasSize(2);
        assertThat(copies).extracting(MessageMeta::internalDate).containsOnly(old);
        assertThat(copies.get(0).saveDate()).isAfter(appended.saveDate());
        assertThat(copies.get(1).saveDate()).isAfter(copies.get(0).saveDate());
        assertThat(uids(account, inbox)).isEmpty();
    }

    @Test
    void multipleAppendShouldStoreEveryMessageWithConsecutiveUidsInOrder() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "first");
        MessageContent same = TestContent.unique("twice");
        Instant old = Instant.parse("2001-02-03T04:05:06Z");
        List<AppendResult> results = mailboxes().append(account.id(), inbox.id(), List.of(
                new Mailboxes.NewMessage(TestContent.unique("a"), facts("a"), Set.of("\\Seen", "$Work"), old),
                new Mailboxes.NewMessage(same, facts("twice"), Set.of(), Instant.now()),
                new Mailboxes.NewMessage(same, facts("twice"), Set.of("\\Flagged"), Instant.now()))).block(WAIT);

        assertThat(results).extracting(AppendResult::uid).containsExactly(2L, 3L, 4L);
        assertThat(results).extracting(AppendResult::uidValidity).containsOnly(inbox.uidValidity());
        List<MessageMeta> stored = messages(account, inbox);
        assertThat(stored).extracting(MessageMeta::uid).containsExactly(1L, 2L, 3L, 4L);
        assertThat(stored.get(1).flags()).containsExactlyInAnyOrder("\\Seen", "$Work");
        assertThat(stored.get(1).internalDate()).isEqualTo(old);
        assertThat(stored.get(2).flags()).isEmpty();
        assertThat(stored.get(3).flags()).containsExactly("\\Flagged");
        assertThat(stored.get(2).blobId()).isEqualTo(stored.get(3).blobId());
        assertThat(box(account, "INBOX").uidNext()).isEqualTo(5);
    }

    @Test
    void multipleAppendShouldStoreManySmallMessagesPastTheMemoryBudgetAndAUnreadableOneNot() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        // Six messages of 200 KB: more small messages than an APPEND holds in memory at once; the rest stream.
        List<TestContent> contents = new ArrayList<>();
        List<Mailboxes.NewMessage> messages = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestContent content = TestContent.random(200 * 1024).chunkedBy(16 * 1024);
            contents.add(content);
            messages.add(new Mailboxes.NewMessage(content, facts("m" + i), Set.of(), Instant.now()));
        }

        assertThat(mailboxes().append(account.id(), inbox.id(), messages).block(WAIT))
                .extracting(AppendResult::uid).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        List<MessageMeta> stored = messages(account, inbox);
        for (int i = 0; i < 6; i++) {
            assertThat(TestContent.concat(blobs().content(stored.get(i).blobId()).collectList().block(WAIT)))
                    .isEqualTo(contents.get(i).bytes());
        }

        // One message whose bytes do not match their hash, past the budget: the whole APPEND rolls back.
        List<Mailboxes.NewMessage> broken = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            broken.add(new Mailboxes.NewMessage(TestContent.random(200 * 1024), facts("b" + i), Set.of(),
                    Instant.now()));
        }
        broken.add(new Mailboxes.NewMessage(TestContent.random(200 * 1024).withWrongSha256(), facts("bad"), Set.of(),
                Instant.now()));
        assertThatThrownBy(() -> mailboxes().append(account.id(), inbox.id(), broken).block(WAIT))
                .isNotNull();
        assertThat(uids(account, inbox)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(box(account, "INBOX").uidNext()).isEqualTo(7);
    }

    @Test
    void multipleAppendShouldStoreNothingWhenTheMessagesTogetherExceedTheQuota() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "1");
        mailboxes().setQuota(account.id(), null, 3L).block(WAIT);

        // Each fits alone, all three do not: RFC 3502, "no partial appending is permitted".
        assertThat(reasonOf(mailboxes().append(account.id(), inbox.id(), List.of(
                new Mailboxes.NewMessage(TestContent.unique("2"), facts("2"), Set.of(), Instant.now()),
                new Mailboxes.NewMessage(TestContent.unique("3"), facts("3"), Set.of(), Instant.now()),
                new Mailboxes.NewMessage(TestContent.unique("4"), facts("4"), Set.of(), Instant.now())))))
                .isEqualTo(MailboxException.Reason.OVER_QUOTA);
        assertThat(reasonOf(mailboxes().append(account.id(), inbox.id(), List.of(
                new Mailboxes.NewMessage(TestContent.unique("5"), facts("5"), Set.of(), Instant.now()),
                new Mailboxes.NewMessage(TestContent.unique("6"), facts("6"), Set.of("\\Bogus"), Instant.now())))))
                .isEqualTo(MailboxException.Reason.CANNOT);
        assertThat(uids(account, inbox)).containsExactly(1L);
        assertThat(box(account, "INBOX").uidNext()).as("a refused append takes no UID").isEqualTo(2);
        assertThat(mailboxes().append(account.id(), inbox.id(), List.of(
                new Mailboxes.NewMessage(TestContent.unique("7"), facts("7"), Set.of(), Instant.now()),
                new Mailboxes.NewMessage(TestContent.unique("8"), facts("8"), Set.of(), Instant.now())))
                .block(WAIT)).extracting(AppendResult::uid).containsExactly(2L, 3L);
    }

    @Test
    void setQuotaShouldRefuseNegativeLimitsAndMissingAccounts() {
        Account account = freshAccount();

        assertThatThrownBy(() -> mailboxes().setQuota(account.id(), -1L, null).block(WAIT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(reasonOf(mailboxes().setQuota(Long.MAX_VALUE, 1L, 1L)))
                .isEqualTo(MailboxException.Reason.NONEXISTENT);
    }

    // --- concurrency -----------------------------------------------------------------------------------------

    @Test
    void concurrentAppendsDeliveriesAndStoresShouldGetDistinctModseqsAndUids() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "first");

        List<Mono<Long>> imap = new ArrayList<>();
        List<Mono<Long>> delivered = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String subject = "parallel " + i;
            imap.add(mailboxes().append(account.id(), inbox.id(), TestContent.unique(subject), facts(subject),
                    Set.of(), Instant.now()).map(AppendResult::modseq));
            delivered.add(deliveries().deliver(new Delivery(TestContent.unique("delivered " + i),
                    List.of(account.id()), Instant.now())).map(receipt -> receipt.messages().get(0).modseq()));
            imap.add(mailboxes().store(account.id(), inbox.id(), List.of(1L), FlagMode.REPLACE,
                    Set.of("$Round" + i), null).map(update -> update.changed().get(0).modseq()));
        }
        var both = Mono.zip(reactor.core.publisher.Flux.merge(imap).collectList(),
                reactor.core.publisher.Flux.merge(delivered).collectList()).block(WAIT);
        List<Long> modseqs = new ArrayList<>(both.getT1());
        modseqs.addAll(new java.util.TreeSet<>(both.getT2())); // deliveries of one batch share a modseq

        assertThat(modseqs).doesNotHaveDuplicates();
        List<MessageMeta> stored = messages(account, inbox);
        assertThat(stored).extracting(MessageMeta::uid).containsExactlyElementsOf(
                LongStream.rangeClosed(1, 41).boxed().toList());
        assertThat(box(account, "INBOX").highestModseq()).isEqualTo(modseqs.stream().mapToLong(m -> m).max()
                .orElseThrow());
    }

    @Test
    void concurrentAppendsShouldNeverTogetherExceedTheQuota() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        mailboxes().setQuota(account.id(), null, 3L).block(WAIT);

        List<Mono<String>> appends = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String subject = "race " + i;
            MailboxInfo target = box(account, i % 2 == 0 ? "INBOX" : "Archive");
            appends.add(mailboxes().append(account.id(), target.id(), TestContent.unique(subject), facts(subject),
                            Set.of(), Instant.now())
                    .map(result -> "stored")
                    .onErrorResume(MailboxException.class, e -> Mono.just(e.reason().name())));
        }
        List<String> outcomes = reactor.core.publisher.Flux.merge(appends).collectList().block(WAIT);

        assertThat(outcomes).filteredOn("stored"::equals).hasSize(3);
        assertThat(outcomes).filteredOn("OVER_QUOTA"::equals).hasSize(5);
        assertThat(mailboxes().quota(account.id()).block(WAIT).usedMessages()).isEqualTo(3);
        assertThat(inbox.id()).isPositive();
    }

    @Test
    void concurrentClaimsShouldGiveEachRecentMessageToOneSessionOnly() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        append(account, inbox, "1");
        append(account, inbox, "2");

        List<RecentClaim> claims = reactor.core.publisher.Flux.merge(LongStream.range(0, 10)
                        .mapToObj(i -> mailboxes().claimRecent(account.id(), inbox.id())).toList())
                .collectList().block(WAIT);

        assertThat(claims).containsOnly(new RecentClaim(1, 3), new RecentClaim(3, 3));
        assertThat(claims).filteredOn(claim -> claim.from() == 1L).hasSize(1);
    }

    // --- events ----------------------------------------------------------------------------------------------

    /** Events of one subscription, collected as they come. */
    public static final class Events implements AutoCloseable {
        private final BlockingQueue<MailboxEvent> received = new LinkedBlockingQueue<>();
        private final Disposable subscription;

        public Events(Mailboxes mailboxes) {
            this(mailboxes.events());
        }

        public Events(reactor.core.publisher.Flux<MailboxEvent> events) {
            subscription = events.subscribe(received::add);
        }

        /** The next event that matches, skipping others; fails after 30 s. */
        public MailboxEvent await(Predicate<MailboxEvent> wanted) {
            try {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (true) {
                    MailboxEvent event = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    if (event == null) {
                        throw new AssertionError("no matching event within " + WAIT);
                    }
                    if (wanted.test(event)) {
                        return event;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Waits until the feed is listening (its first event says so). */
        public Events listening() {
            await(MailboxEvent::isAnything);
            return this;
        }

        @Override
        public void close() {
            subscription.dispose();
        }
    }

    @Test
    void eventsShouldAnnounceEveryKindOfChangeWithItsModseq() {
        Account account = freshAccount();
        MailboxInfo inbox = box(account, "INBOX");
        MailboxInfo sent = box(account, "Sent");
        try (Events events = new Events(mailboxes()).listening()) {
            AppendResult appended = append(account, inbox, "1");
            assertThat(events.await(e -> e.mailboxId() == inbox.id()))
                    .isEqualTo(new MailboxEvent(inbox.id(), appended.modseq()));

            FlagUpdate update = mailboxes().store(account.id(), inbox.id(), List.of(1L), FlagMode.ADD,
                    Set.of("\\Seen"), null).block(WAIT);
            assertThat(events.await(e -> e.mailboxId() == inbox.id()).modseq())
                    .isEqualTo(update.changed().get(0).modseq());

            mailboxes().copy(account.id(), inbox.id(), List.of(1L), sent.id(), true).block(WAIT);
            assertThat(events.await(e -> e.mailboxId() == sent.id()).modseq())
                    .isEqualTo(box(account, "Sent").highestModseq());
            assertThat(events.await(e -> e.mailboxId() == inbox.id()).modseq())
                    .isEqualTo(box(account, "INBOX").highestModseq());

            DeliveryReceipt delivered = deliveries().deliver(new Delivery(TestContent.unique("d"),
                    List.of(account.id()), Instant.now())).block(WAIT);
            assertThat(events.await(e -> e.mailboxId() == inbox.id()).modseq())
                    .isEqualTo(delivered.messages().get(0).modseq());

            mailboxes().expunge(account.id(), inbox.id(), List.of(delivered.messages().get(0).uid())).block(WAIT);
            assertThat(events.await(e -> e.mailboxId() == inbox.id()).modseq())
                    .isEqualTo(box(account, "INBOX").highestModseq());

            long lastOfSent = box(account, "Sent").highestModseq();
            mailboxes().delete(account.id(), "Sent").block(WAIT);
            assertThat(events.await(e -> e.mailboxId() == sent.id()).modseq())
                    .as("a deleted mailbox announces a modseq it never reached").isEqualTo(lastOfSent + 1);
        }
    }

    @Test
    void aLateSubscriberShouldAlsoHearThatTheFeedIsListening() {
        try (Events first = new Events(mailboxes()).listening();
             Events second = new Events(mailboxes())) {
            assertThat(second.await(e -> true)).isEqualTo(MailboxEvent.anything());
        }
    }
}
