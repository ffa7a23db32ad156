package dev.hato.store.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.store.contacts.ContactCard;
import dev.hato.store.contacts.ContactChanges;
import dev.hato.store.contacts.ContactException;
import dev.hato.store.contacts.Precondition;
import dev.hato.store.directory.Account;
import dev.hato.store.directory.NewAccount;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Address books against the embedded PostgreSQL: the default book, conditions, UIDs, limits and sync tokens. */
class PgAddressBooksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final String BOOK = AddressBooks.DEFAULT;

    @RegisterExtension
    static final EmbeddedStore STORE = new EmbeddedStore();

    private static AddressBooks books() {
        return STORE.store().addressBooks();
    }

    private static long freshAccount() {
        String domain = "c" + NEXT.incrementAndGet() + ".example";
        STORE.store().directory().addDomain(domain).block(WAIT);
        String local = "p" + NEXT.incrementAndGet();
        Account account = STORE.store().directory()
                .addAccount(new NewAccount(local + "@" + domain, local + ".auth", local, null)).block(WAIT);
        return account.id();
    }

    private static ContactCard card(String uid, String name, String... emails) {
        return new ContactCard(uid, "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:" + uid + "\r\nFN:" + name + "\r\nEND:VCARD\r\n",
                "individual", name, List.of(emails));
    }

    private static AddressBooks.Stored put(long account, String name, ContactCard card, Precondition condition) {
        return books().put(account, BOOK, name, card, condition).block(WAIT);
    }

    private static ContactException.Reason reasonOf(Mono<?> action) {
        try {
            action.block(WAIT);
        } catch (ContactException e) {
            return e.reason();
        }
        throw new AssertionError("no ContactException");
    }

    @Test
    void everyoneShouldHaveADefaultBookMadeTheFirstTimeItIsAskedFor() {
        long ann = freshAccount();
        assertThat(books().books(ann).collectList().block(WAIT)).singleElement()
                .satisfies(book -> assertThat(book.name()).isEqualTo(BOOK));
        assertThat(books().book(ann, BOOK).block(WAIT).syncToken()).isEqualTo(1);
        assertThat(books().book(ann, "other").blockOptional(WAIT)).isEmpty();
    }

    @Test
    void writesShouldHonourTheirConditionsAndChangeTheEntityTagAndToken() {
        long ann = freshAccount();
        AddressBooks.Stored first = put(ann, "a.vcf", card("u-a", "山田 太郎", "taro@example.jp"),
                new Precondition(null, true));
        assertThat(first.created()).isTrue();
        assertThat(reasonOf(books().put(ann, BOOK, "a.vcf", card("u-a", "x"), new Precondition(null, true))))
                .isEqualTo(ContactException.Reason.PRECONDITION_FAILED);
        assertThat(reasonOf(books().put(ann, BOOK, "a.vcf", card("u-a", "x"), new Precondition("\"stale\"", false))))
                .isEqualTo(ContactException.Reason.PRECONDITION_FAILED);

        AddressBooks.Stored second = put(ann, "a.vcf", card("u-a", "山田 花子", "hanako@example.jp"),
                new Precondition(first.contact().etag(), false));
        assertThat(second.created()).isFalse();
        assertThat(second.contact().etag()).isNotEqualTo(first.contact().etag());
        assertThat(second.contact().modseq()).isGreaterThan(first.contact().modseq());
        assertThat(books().contact(ann, BOOK, "a.vcf").block(WAIT).card().displayName()).isEqualTo("山田 花子");

        assertThat(reasonOf(books().delete(ann, BOOK, "a.vcf", first.contact().etag())))
                .isEqualTo(ContactException.Reason.PRECONDITION_FAILED);
        books().delete(ann, BOOK, "a.vcf", second.contact().etag()).block(WAIT);
        assertThat(reasonOf(books().delete(ann, BOOK, "a.vcf", null))).isEqualTo(ContactException.Reason.NOT_FOUND);
        assertThat(books().book(ann, BOOK).block(WAIT).syncToken()).isEqualTo(4);
    }

    @Test
    void aUidShouldBelongToOneContactOfABook() {
        long ann = freshAccount();
        put(ann, "one.vcf", card("same", "One"), Precondition.NONE);
        try {
            put(ann, "two.vcf", card("same", "Two"), Precondition.NONE);
            throw new AssertionError("no conflict");
        } catch (ContactException e) {
            assertThat(e.reason()).isEqualTo(ContactException.Reason.UID_CONFLICT);
            assertThat(e.conflict()).isEqualTo("one.vcf");
        }
        assertThat(reasonOf(books().put(ann, BOOK, "a/b", card("x", "x"), Precondition.NONE)))
                .isEqualTo(ContactException.Reason.BAD_NAME);
        String big = "X".repeat(AddressBooks.MAX_VCARD_OCTETS + 1);
        assertThat(reasonOf(books().put(ann, BOOK, "big.vcf", new ContactCard("big", big, "individual", "", List.of()),
                Precondition.NONE))).isEqualTo(ContactException.Reason.TOO_LARGE);
        // Another person's book is theirs alone: the same UID and name are free there.
        long ben = freshAccount();
        put(ben, "one.vcf", card("same", "Ben's"), Precondition.NONE);
        assertThat(books().contacts(ann, BOOK).map(Contact::name).collectList().block(WAIT))
                .containsExactly("one.vcf");
    }

    @Test
    void changesShouldListWhatChangedAndWhatWasRemovedSinceAToken() {
        long ann = freshAccount();
        put(ann, "a.vcf", card("a", "A"), Precondition.NONE);
        put(ann, "b.vcf", card("b", "B"), Precondition.NONE);
        long token = books().changes(ann, BOOK, 0).block(WAIT).syncToken();
        put(ann, "c.vcf", card("c", "C"), Precondition.NONE);
        put(ann, "a.vcf", card("a", "A2"), Precondition.NONE);
        books().delete(ann, BOOK, "b.vcf", null).block(WAIT);

        ContactChanges changes = books().changes(ann, BOOK, token).block(WAIT);
        assertThat(changes.changed()).extracting(Contact::name).containsExactly("c.vcf", "a.vcf");
        assertThat(changes.removed()).containsExactly("b.vcf");
        assertThat(books().changes(ann, BOOK, changes.syncToken()).block(WAIT).changed()).isEmpty();
        assertThat(books().changes(ann, BOOK, 0).block(WAIT).changed()).extracting(Contact::name)
                .containsExactlyInAnyOrder("a.vcf", "c.vcf");
        assertThat(reasonOf(books().changes(ann, BOOK, changes.syncToken() + 1)))
                .isEqualTo(ContactException.Reason.INVALID_TOKEN);
        // A removed contact put back is no longer reported as removed.
        put(ann, "b.vcf", card("b", "B again"), Precondition.NONE);
        assertThat(books().changes(ann, BOOK, token).block(WAIT).removed()).isEmpty();
    }

    @Test
    void searchShouldFindByNameOrAddressIgnoringCaseAndWildcards() {
        long ann = freshAccount();
        put(ann, "a.vcf", card("a", "山田 太郎", "Taro.Yamada@example.jp"), Precondition.NONE);
        put(ann, "b.vcf", card("b", "Bob 100%", "bob@example.org"), Precondition.NONE);
        assertThat(books().search(ann, "yamada", 10).map(c -> c.card().displayName()).collectList().block(WAIT))
                .containsExactly("山田 太郎");
        assertThat(books().search(ann, "山田", 10).collectList().block(WAIT)).hasSize(1);
        assertThat(books().search(ann, "%", 10).map(c -> c.card().displayName()).collectList().block(WAIT))
                .containsExactly("Bob 100%");
    }

    @Test
    void concurrentWritesShouldEachGetATokenOfTheirOwn() {
        long ann = freshAccount();
        List<Long> modseqs = Flux.range(0, 20)
                .flatMap(i -> books().put(ann, BOOK, i + ".vcf", card("u" + i, "P" + i), Precondition.NONE), 8)
                .map(stored -> stored.contact().modseq()).collectList().block(WAIT);
        assertThat(modseqs).doesNotHaveDuplicates().hasSize(20);
        assertThat(books().book(ann, BOOK).block(WAIT).syncToken()).isEqualTo(21);
    }
}
