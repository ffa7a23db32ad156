-- The authentication audit log: one row per login attempt (ARCHITECTURE.md, "Authentication"; issue 5 part 4),
-- written in batches by PgAuditLog and read by `hato audit`.
--
-- Distribution: a successful login carries the account's id, but a failed one may name no account at all, so
-- account_id is nullable and cannot lead the primary key. This is an append-only log, not a person's mailbox data:
-- on a sharded PostgreSQL it stays on the coordinator (or is distributed by id); nothing on the hot path joins it.
-- There is no foreign key to account either: the record of an attempt outlives the account it named.
--
-- auth_id is the login exactly as typed (it may be an address, a typo or an attacker's guess), truncated to 255
-- characters by the writer. client_ip is text, not inet: a value that does not parse must never fail a whole batch.

CREATE TABLE auth_event (
    account_id bigint,
    id         bigserial,
    at         timestamptz NOT NULL,
    protocol   text        NOT NULL,
    client_ip  text        NOT NULL,
    auth_id    text        NOT NULL,
    result     text        NOT NULL,
    CONSTRAINT auth_event_pkey PRIMARY KEY (id),
    CONSTRAINT auth_event_auth_id_length CHECK (char_length(auth_id) <= 255),
    CONSTRAINT auth_event_result_known CHECK (result IN ('success', 'rejected', 'unavailable', 'throttled', 'locked'))
);

-- `hato audit --auth-id X [--since T]`: logins are case-insensitive, so the lookup is too.
CREATE INDEX auth_event_auth_id_at_idx ON auth_event (lower(auth_id), at);
-- `hato audit --since T` and a later retention job (DELETE ... WHERE at < ...).
CREATE INDEX auth_event_at_idx ON auth_event (at);
-- One person's history, whatever they typed to get in.
CREATE INDEX auth_event_account_at_idx ON auth_event (account_id, at) WHERE account_id IS NOT NULL;
