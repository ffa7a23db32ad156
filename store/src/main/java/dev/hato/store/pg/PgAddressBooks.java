package dev.hato.store.pg;

import dev.hato.store.contacts.AddressBook;
import dev.hato.store.contacts.AddressBooks;
import dev.hato.store.contacts.Contact;
import dev.hato.store.contacts.ContactCard;
import dev.hato.store.contacts.ContactChanges;
import dev.hato.store.contacts.ContactException;
import dev.hato.store.contacts.ContactException.Reason;
import dev.hato.store.contacts.Precondition;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Address books in {@code address_book}, {@code contact} and {@code contact_tombstone}. A write first locks its
 * book's row (raising the sync token), so the writes of one book run one after the other: the limit on contacts
 * holds, and each write gets a token of its own. {@link #changes} reads the token first and only rows at or below it,
 * so a write committed meanwhile is reported next time rather than half now.
 */
final class PgAddressBooks implements AddressBooks {

    private static final String DEFAULT_NAME = "Contacts";
    private static final String CONTACT_COLUMNS = "account_id, book, name, uid, etag, vcard, kind, display_name,"
            + " emails, modseq, updated_at";
    private static final String MAKE_DEFAULT = "INSERT INTO address_book (account_id, name, display_name)"
            + " SELECT id, $2, $3 FROM account WHERE id = $1 ON CONFLICT DO NOTHING";
    private static final String BOOK_COLUMNS = "account_id, name, display_name, sync_token";
    private static final String UPSERT = "INSERT INTO contact (" + CONTACT_COLUMNS + ")"
            + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now())"
            + " ON CONFLICT (account_id, book, name) DO UPDATE SET uid = excluded.uid, etag = excluded.etag,"
            + " vcard = excluded.vcard, kind = excluded.kind, display_name = excluded.display_name,"
            + " emails = excluded.emails, modseq = excluded.modseq, updated_at = excluded.updated_at"
            + " RETURNING " + CONTACT_COLUMNS;

    private final Database db;

    PgAddressBooks(Database db) {
        this.db = db;
    }

    @Override
    public Flux<AddressBook> books(long accountId) {
        return makeDefault(accountId).thenMany(db.query("SELECT " + BOOK_COLUMNS
                + " FROM address_book WHERE account_id = $1 ORDER BY name", PgAddressBooks::book, accountId));
    }

    @Override
    public Mono<AddressBook> book(long accountId, String book) {
        return (DEFAULT.equals(book) ? makeDefault(accountId) : Mono.<Void>empty())
                .then(db.query("SELECT " + BOOK_COLUMNS + " FROM address_book WHERE account_id = $1 AND name = $2",
                        PgAddressBooks::book, accountId, book).singleOrEmpty());
    }

    private Mono<Void> makeDefault(long accountId) {
        return db.update(MAKE_DEFAULT, accountId, DEFAULT, DEFAULT_NAME).then();
    }

    @Override
    public Flux<Contact> contacts(long accountId, String book) {
        return db.query("SELECT " + CONTACT_COLUMNS + " FROM contact WHERE account_id = $1 AND book = $2"
                + " ORDER BY name", PgAddressBooks::contact, accountId, book);
    }

    @Override
    public Flux<Contact> contacts(long accountId, String book, Collection<String> names) {
        if (names.isEmpty()) {
            return Flux.empty();
        }
        return db.query("SELECT " + CONTACT_COLUMNS + " FROM contact WHERE account_id = $1 AND book = $2"
                + " AND name = ANY($3) ORDER BY name", PgAddressBooks::contact, accountId, book,
                names.toArray(String[]::new));
    }

    @Override
    public Mono<Contact> contact(long accountId, String book, String name) {
        return db.query("SELECT " + CONTACT_COLUMNS + " FROM contact WHERE account_id = $1 AND book = $2"
                + " AND name = $3", PgAddressBooks::contact, accountId, book, name).singleOrEmpty();
    }

    @Override
    public Mono<Stored> put(long accountId, String book, String name, ContactCard card, Precondition precondition) {
        if (!AddressBooks.validName(name)) {
            return Mono.error(new ContactException(Reason.BAD_NAME, "a contact's name has 1 to " + MAX_NAME_LENGTH
                    + " characters, none of them a control character or a slash"));
        }
        if (card.vcard().getBytes(StandardCharsets.UTF_8).length > MAX_VCARD_OCTETS) {
            return Mono.error(new ContactException(Reason.TOO_LARGE,
                    "a vCard may have at most " + MAX_VCARD_OCTETS + " octets"));
        }
        String etag = etag(card.vcard());
        return book(accountId, book).switchIfEmpty(Mono.error(() -> noBook(book)))
                .then(db.inTransaction(connection -> lockBook(connection, accountId, book)
                        .then(existing(connection, accountId, book, name))
                        .map(List::of).defaultIfEmpty(List.of())
                        .flatMap(existing -> check(existing, precondition)
                                .then(uidHolder(connection, accountId, book, card.uid(), name))
                                .then(existing.isEmpty() ? roomFor(connection, accountId, book) : Mono.empty())
                                .then(raiseToken(connection, accountId, book))
                                .flatMap(modseq -> Database.rows(Database.statement(connection, UPSERT, accountId,
                                                book, name, card.uid(), etag, card.vcard(), card.kind(),
                                                card.displayName(), card.emails().toArray(String[]::new), modseq),
                                        PgAddressBooks::contact).single())
                                .flatMap(stored -> Database.rowsUpdated(Database.statement(connection,
                                                "DELETE FROM contact_tombstone WHERE account_id = $1 AND book = $2"
                                                        + " AND name = $3", accountId, book, name))
                                        .thenReturn(new Stored(stored, existing.isEmpty())))))
                        .single());
    }

    @Override
    public Mono<Void> delete(long accountId, String book, String name, @Nullable String ifMatch) {
        return db.inTransaction(connection -> lockBook(connection, accountId, book)
                        .then(existing(connection, accountId, book, name))
                        .switchIfEmpty(Mono.error(() -> new ContactException(Reason.NOT_FOUND,
                                "there is no contact named " + name)))
                        .flatMap(etag -> check(List.of(etag), new Precondition(ifMatch, false)))
                        .then(raiseToken(connection, accountId, book))
                        .flatMap(modseq -> Database.rowsUpdated(Database.statement(connection,
                                        "DELETE FROM contact WHERE account_id = $1 AND book = $2 AND name = $3",
                                        accountId, book, name))
                                .then(Database.rowsUpdated(Database.statement(connection,
                                        "INSERT INTO contact_tombstone (account_id, book, name, modseq)"
                                                + " VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, book, name)"
                                                + " DO UPDATE SET modseq = excluded.modseq",
                                        accountId, book, name, modseq)))))
                .then();
    }

    @Override
    public Mono<ContactChanges> changes(long accountId, String book, long since) {
        return book(accountId, book).switchIfEmpty(Mono.error(() -> noBook(book))).flatMap(current -> {
            long token = current.syncToken();
            if (since < 0 || since > token) {
                return Mono.error(new ContactException(Reason.INVALID_TOKEN, "no such sync token: " + since));
            }
            Mono<List<Contact>> changed = db.query("SELECT " + CONTACT_COLUMNS + " FROM contact WHERE account_id = $1"
                    + " AND book = $2 AND modseq > $3 AND modseq <= $4 ORDER BY modseq", PgAddressBooks::contact,
                    accountId, book, since, token).collectList();
            Mono<List<String>> removed = since == 0 ? Mono.just(List.of()) : db.query("SELECT name FROM"
                    + " contact_tombstone WHERE account_id = $1 AND book = $2 AND modseq > $3 AND modseq <= $4"
                    + " ORDER BY modseq", row -> Database.required(row, "name", String.class),
                    accountId, book, since, token).collectList();
            return Mono.zip(changed, removed, (c, r) -> new ContactChanges(token, c, r));
        });
    }

    @Override
    public Flux<Contact> search(long accountId, String text, int limit) {
        String pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return db.query("SELECT " + CONTACT_COLUMNS + " FROM contact WHERE account_id = $1 AND (display_name ILIKE $2"
                + " OR EXISTS (SELECT 1 FROM unnest(emails) AS e WHERE e ILIKE $2))"
                + " ORDER BY display_name, name LIMIT $3", PgAddressBooks::contact, accountId, pattern, limit);
    }

    /** Locks the book's row for this transaction; errors when there is no such book. */
    private static Mono<Void> lockBook(Connection connection, long accountId, String book) {
        return Database.rows(Database.statement(connection, "SELECT name FROM address_book WHERE account_id = $1"
                        + " AND name = $2 FOR UPDATE", accountId, book), row -> true)
                .hasElements()
                .flatMap(found -> found ? Mono.<Void>empty() : Mono.error(noBook(book)));
    }

    private static Mono<Long> raiseToken(Connection connection, long accountId, String book) {
        return Database.rows(Database.statement(connection, "UPDATE address_book SET sync_token = sync_token + 1"
                        + " WHERE account_id = $1 AND name = $2 RETURNING sync_token", accountId, book),
                row -> Database.required(row, "sync_token", Long.class)).single();
    }

    /** The entity tag of the contact of that name, if there is one. */
    private static Mono<String> existing(Connection connection, long accountId, String book, String name) {
        return Database.rows(Database.statement(connection, "SELECT etag FROM contact WHERE account_id = $1"
                        + " AND book = $2 AND name = $3", accountId, book, name),
                row -> Database.required(row, "etag", String.class)).singleOrEmpty();
    }

    private static Mono<Void> check(List<String> existing, Precondition precondition) {
        String ifMatch = precondition.ifMatch();
        boolean fails = precondition.ifNoneMatchAny() && !existing.isEmpty()
                || ifMatch != null && (existing.isEmpty() || !ifMatch.equals("*") && !existing.get(0).equals(ifMatch));
        return fails ? Mono.error(new ContactException(Reason.PRECONDITION_FAILED,
                "the contact is not in the state the request expects")) : Mono.empty();
    }

    /** Errors when a contact other than {@code name} has {@code uid}. */
    private static Mono<Void> uidHolder(Connection connection, long accountId, String book, String uid, String name) {
        return Database.rows(Database.statement(connection, "SELECT name FROM contact WHERE account_id = $1"
                                + " AND book = $2 AND uid = $3 AND name <> $4", accountId, book, uid, name),
                        row -> Database.required(row, "name", String.class))
                .next()
                .flatMap(holder -> Mono.error(new ContactException(Reason.UID_CONFLICT,
                        "the contact " + holder + " has the UID " + uid + " already", holder)));
    }

    private static Mono<Void> roomFor(Connection connection, long accountId, String book) {
        return Database.rows(Database.statement(connection, "SELECT count(*) AS n FROM contact WHERE account_id = $1"
                        + " AND book = $2", accountId, book), row -> Database.required(row, "n", Long.class))
                .single()
                .flatMap(n -> n >= MAX_CONTACTS ? Mono.error(new ContactException(Reason.TOO_MANY,
                        "an address book holds at most " + MAX_CONTACTS + " contacts")) : Mono.empty());
    }

    private static ContactException noBook(String book) {
        return new ContactException(Reason.NOT_FOUND, "there is no address book named " + book);
    }

    /** A strong entity tag: the first 128 bits of the text's SHA-256, quoted as RFC 9110 §8.8.3 wants. */
    static String etag(String vcard) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(vcard.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(Arrays.copyOf(digest, 16)) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static AddressBook book(Readable row) {
        return new AddressBook(Database.required(row, "account_id", Long.class),
                Database.required(row, "name", String.class), Database.required(row, "display_name", String.class),
                Database.required(row, "sync_token", Long.class));
    }

    private static Contact contact(Readable row) {
        ContactCard card = new ContactCard(Database.required(row, "uid", String.class),
                Database.required(row, "vcard", String.class), Database.required(row, "kind", String.class),
                Database.required(row, "display_name", String.class),
                List.of(Database.required(row, "emails", String[].class)));
        return new Contact(Database.required(row, "account_id", Long.class),
                Database.required(row, "book", String.class), Database.required(row, "name", String.class),
                Database.required(row, "etag", String.class), card, Database.required(row, "modseq", Long.class),
                Database.required(row, "updated_at", Instant.class));
    }
}
