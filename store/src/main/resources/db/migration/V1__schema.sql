-- Hato's first schema: directory (domains, accounts), mailboxes, content-addressed blobs, messages and the
-- per-mailbox change log.
--
-- Distribution rule (ARCHITECTURE.md, "Store"): every table that holds a person's data carries account_id, and its
-- primary key and indexes start with account_id, so that account_id can become the distribution column of a
-- sharded PostgreSQL (Citus or compatible). Queries on the hot path never join across accounts.
--
-- Names, addresses and auth IDs are lower-cased by the caller; the CHECK constraints only catch a caller that
-- forgot. Constraint names are part of the contract with PgDirectory, which maps unique violations by name.

CREATE TABLE domain (
    id   bigserial PRIMARY KEY,
    name text NOT NULL,
    CONSTRAINT domain_name_key UNIQUE (name),
    CONSTRAINT domain_name_lower CHECK (name = lower(name) AND name <> '')
);

CREATE TABLE account (
    id            bigserial PRIMARY KEY,
    -- RESTRICT: a domain is removed only once it is empty (DirectoryException DOMAIN_NOT_EMPTY).
    domain_id     bigint      NOT NULL CONSTRAINT account_domain_fkey REFERENCES domain (id) ON DELETE RESTRICT,
    address       text        NOT NULL,
    auth_id       text        NOT NULL,
    display_name  text        NOT NULL DEFAULT '',
    -- Encoded Argon2id hash (PHC string), or null when the account has no local password.
    password_hash text,
    state         text        NOT NULL DEFAULT 'active',
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_address_key UNIQUE (address),
    CONSTRAINT account_auth_id_key UNIQUE (auth_id),
    CONSTRAINT account_address_lower CHECK (address = lower(address) AND position('@' IN address) > 1),
    CONSTRAINT account_auth_id_lower CHECK (auth_id = lower(auth_id) AND auth_id <> ''),
    CONSTRAINT account_state_known CHECK (state IN ('active', 'disabled'))
);

CREATE INDEX account_domain_idx ON account (domain_id, address);

CREATE TABLE mailbox (
    id             bigserial,
    account_id     bigint  NOT NULL CONSTRAINT mailbox_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    -- Hierarchy delimiter '/'; INBOX is always spelled INBOX (RFC 3501 §5.1: INBOX is case-insensitive).
    name           text    NOT NULL,
    -- RFC 3501 §2.3.1.1: a non-zero 32-bit value, changed whenever UIDs of this name could be reused.
    uidvalidity    bigint  NOT NULL,
    uid_next       bigint  NOT NULL DEFAULT 1,
    -- RFC 7162: mod-sequences are positive; an empty mailbox already reports HIGHESTMODSEQ 1.
    highest_modseq bigint  NOT NULL DEFAULT 1,
    special_use    text,
    subscribed     boolean NOT NULL DEFAULT true,
    -- Cross-node exclusive lease (e.g. a POP3 session, RFC 1939 §8 "exclusive-access lock").
    lease_owner    text,
    lease_until    timestamptz,
    CONSTRAINT mailbox_pkey PRIMARY KEY (account_id, id),
    CONSTRAINT mailbox_name_key UNIQUE (account_id, name),
    CONSTRAINT mailbox_name_valid CHECK (name <> '' AND (upper(name) <> 'INBOX' OR name = 'INBOX')),
    CONSTRAINT mailbox_uidvalidity_range CHECK (uidvalidity BETWEEN 1 AND 4294967295),
    -- UIDs are 32-bit (RFC 3501 §2.3.1.1): uid_next may reach 2^32, meaning the mailbox is full.
    CONSTRAINT mailbox_uid_next_range CHECK (uid_next BETWEEN 1 AND 4294967296),
    CONSTRAINT mailbox_highest_modseq_positive CHECK (highest_modseq >= 1),
    CONSTRAINT mailbox_special_use_known CHECK (special_use IS NULL OR special_use IN
        ('\All', '\Archive', '\Drafts', '\Flagged', '\Junk', '\Sent', '\Trash')),
    CONSTRAINT mailbox_lease_complete CHECK ((lease_owner IS NULL) = (lease_until IS NULL))
);

-- Blobs are shared across accounts (a list post to 500 members is one blob), so they carry no account_id; in a
-- sharded deployment they are a reference table or move to object storage behind the same interface.
CREATE TABLE blob (
    id         bigserial PRIMARY KEY,
    sha256     bytea       NOT NULL,
    size       bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT blob_sha256_key UNIQUE (sha256),
    CONSTRAINT blob_sha256_length CHECK (length(sha256) = 32),
    CONSTRAINT blob_size_positive CHECK (size >= 0)
);

-- Content in chunks of at most 256 KiB, so that neither writing nor reading a message needs it whole in memory.
-- Every chunk but the last is full; an empty blob has no chunk.
CREATE TABLE blob_chunk (
    blob_id bigint  NOT NULL CONSTRAINT blob_chunk_blob_fkey REFERENCES blob (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    data    bytea   NOT NULL,
    CONSTRAINT blob_chunk_pkey PRIMARY KEY (blob_id, seq),
    CONSTRAINT blob_chunk_seq_positive CHECK (seq >= 0),
    CONSTRAINT blob_chunk_size_range CHECK (length(data) BETWEEN 1 AND 262144)
);

CREATE TABLE message (
    account_id    bigint      NOT NULL,
    mailbox_id    bigint      NOT NULL,
    uid           bigint      NOT NULL,
    modseq        bigint      NOT NULL,
    -- No cascade: a blob is only ever removed once no message refers to it.
    blob_id       bigint      NOT NULL CONSTRAINT message_blob_fkey REFERENCES blob (id),
    size          bigint      NOT NULL,
    internal_date timestamptz NOT NULL,
    flags         text[]      NOT NULL DEFAULT '{}',
    CONSTRAINT message_pkey PRIMARY KEY (account_id, mailbox_id, uid),
    CONSTRAINT message_mailbox_fkey FOREIGN KEY (account_id, mailbox_id)
        REFERENCES mailbox (account_id, id) ON DELETE CASCADE,
    CONSTRAINT message_uid_range CHECK (uid BETWEEN 1 AND 4294967295),
    CONSTRAINT message_modseq_positive CHECK (modseq >= 1),
    CONSTRAINT message_size_positive CHECK (size >= 0)
);

-- CONDSTORE FETCH ... (CHANGEDSINCE n) and SEARCH MODSEQ (RFC 7162) read messages by modseq.
CREATE INDEX message_modseq_idx ON message (account_id, mailbox_id, modseq);

-- The per-mailbox modification log: every append, expunge and flag change with its modseq, for QRESYNC
-- (RFC 7162 §3.2.5.2 VANISHED (EARLIER)) and incremental sync.
CREATE TABLE change (
    account_id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    modseq     bigint NOT NULL,
    uid        bigint NOT NULL,
    kind       text   NOT NULL,
    CONSTRAINT change_pkey PRIMARY KEY (account_id, mailbox_id, modseq, uid),
    CONSTRAINT change_mailbox_fkey FOREIGN KEY (account_id, mailbox_id)
        REFERENCES mailbox (account_id, id) ON DELETE CASCADE,
    CONSTRAINT change_kind_known CHECK (kind IN ('append', 'expunge', 'flags'))
);
