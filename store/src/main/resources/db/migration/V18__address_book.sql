-- Address books (issue 16): each person's contacts and groups, served over CardDAV (RFC 6352) and imported or
-- exported by the CLI. Keyed by account first, as every personal table is, so account_id can be the distribution
-- column. A vCard is kept as the text that was uploaded (its version included): CardDAV clients expect to read back
-- what they wrote, and a later parser can extract more from the text. The extracted columns serve search and
-- autocomplete only.
CREATE TABLE address_book (
    account_id   bigint      NOT NULL CONSTRAINT address_book_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    name         text        NOT NULL CONSTRAINT address_book_name_valid CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    display_name text        NOT NULL,
    -- RFC 6578's sync token and the CalendarServer ctag: raised by every change of a contact in the book.
    sync_token   bigint      NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT address_book_pkey PRIMARY KEY (account_id, name)
);

CREATE TABLE contact (
    account_id   bigint      NOT NULL,
    book         text        NOT NULL,
    -- The resource name the client chose (RFC 6352 §5.1: any name; the UID is what identifies the vCard).
    name         text        NOT NULL CONSTRAINT contact_name_valid
                                 CHECK (length(name) BETWEEN 1 AND 255 AND name !~ '[[:cntrl:]/]'),
    uid          text        NOT NULL,
    etag         text        NOT NULL,
    vcard        text        NOT NULL CONSTRAINT contact_vcard_bounded CHECK (octet_length(vcard) <= 262144),
    -- 'individual', 'group', 'org' or 'location' (vCard 4 KIND; vCard 3's X-ADDRESSBOOKSERVER-KIND).
    kind         text        NOT NULL DEFAULT 'individual',
    display_name text        NOT NULL DEFAULT '',
    emails       text[]      NOT NULL DEFAULT '{}',
    -- The book's sync token when this contact last changed.
    modseq       bigint      NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contact_pkey PRIMARY KEY (account_id, book, name),
    CONSTRAINT contact_book_fkey FOREIGN KEY (account_id, book)
        REFERENCES address_book (account_id, name) ON DELETE CASCADE
);

-- RFC 6352 §6.3.2.1 no-uid-conflict: one vCard per UID in a book.
CREATE UNIQUE INDEX contact_uid ON contact (account_id, book, uid);
CREATE INDEX contact_modseq ON contact (account_id, book, modseq);

-- Contacts deleted, for sync-collection (RFC 6578 §3.5.2: a member removed since the token is reported as 404).
CREATE TABLE contact_tombstone (
    account_id bigint NOT NULL,
    book       text   NOT NULL,
    name       text   NOT NULL,
    modseq     bigint NOT NULL,
    CONSTRAINT contact_tombstone_pkey PRIMARY KEY (account_id, book, name),
    CONSTRAINT contact_tombstone_book_fkey FOREIGN KEY (account_id, book)
        REFERENCES address_book (account_id, name) ON DELETE CASCADE
);
