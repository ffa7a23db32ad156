-- What IMAP needs beyond the first schema: \Recent bookkeeping, subscriptions that may name mailboxes that do not
-- exist, UIDVALIDITY values never reused within an account, per-account quotas (RFC 9208) and the facts parsed
-- once from each message (structure for FETCH, text for SEARCH, fields for SORT/THREAD).

-- RFC 3501 §2.3.2: a message is \Recent for the first session that sees it. Messages with uid >= first_recent_uid
-- have not been claimed yet (Mailboxes.claimRecent moves it to uid_next).
ALTER TABLE mailbox ADD COLUMN first_recent_uid bigint NOT NULL DEFAULT 1;

-- RFC 3501 §2.3.1.1: UIDVALIDITY must change when a name's UIDs could be reused. New mailboxes take
-- greatest(now in seconds, last_uidvalidity + 1) and store it here, so a mailbox deleted and created again in the same
-- second still gets a larger value.
ALTER TABLE account ADD COLUMN last_uidvalidity bigint NOT NULL DEFAULT 0;

-- RFC 9208 quota root "" per account; NULL is unlimited. Storage in octets (shown to clients in KiB).
ALTER TABLE account ADD COLUMN quota_octets bigint;
ALTER TABLE account ADD COLUMN quota_messages bigint;
ALTER TABLE account ADD CONSTRAINT account_quota_positive
    CHECK ((quota_octets IS NULL OR quota_octets >= 0) AND (quota_messages IS NULL OR quota_messages >= 0));

-- RFC 3501 §6.3.6: a subscription is a name, whether or not the mailbox exists. Replaces mailbox.subscribed, which
-- could not hold a subscription to a missing mailbox.
CREATE TABLE subscription (
    account_id bigint NOT NULL CONSTRAINT subscription_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    name       text   NOT NULL,
    CONSTRAINT subscription_pkey PRIMARY KEY (account_id, name)
);
INSERT INTO subscription (account_id, name) SELECT account_id, name FROM mailbox WHERE subscribed;
ALTER TABLE mailbox DROP COLUMN subscribed;

-- Facts parsed once per blob (dev.hato.store.MessageFacts): like the blob, shared by every copy of the message.
-- structure is opaque to the store (the gateway's encoded IMAP structure). header_text and body_text are decoded
-- to Unicode for SEARCH; sort_* and the threading fields follow RFC 5256.
CREATE TABLE blob_facts (
    blob_id       bigint PRIMARY KEY CONSTRAINT blob_facts_blob_fkey REFERENCES blob (id) ON DELETE CASCADE,
    structure     bytea  NOT NULL,
    header_text   text   NOT NULL,
    body_text     text   NOT NULL,
    base_subject  text   NOT NULL,
    sort_from     text   NOT NULL,
    sort_to       text   NOT NULL,
    sort_cc       text   NOT NULL,
    sent_date     timestamptz,
    message_id    text,
    refs          text[] NOT NULL DEFAULT '{}',
    display_from  text,
    display_to    text
);
