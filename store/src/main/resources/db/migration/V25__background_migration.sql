-- Issue 17: migrations the server runs by itself. `hato migrate start` (or a person's first proxied login, where
-- their domain asks for it) marks the row `background`; the server claims rows whose next pass is due (FOR UPDATE
-- SKIP LOCKED, so two nodes never copy one person at once), makes a pass, and schedules the next one, until the
-- person is moved (and, with cutover_when_verified, moves them itself once a pass was verified). 'queued': started,
-- no pass made yet.
ALTER TABLE migration DROP CONSTRAINT migration_state_known;
ALTER TABLE migration ADD CONSTRAINT migration_state_known
    CHECK (state IN ('queued', 'copying', 'copied', 'failed', 'moved', 'rolled-back'));
ALTER TABLE migration ADD COLUMN background            boolean NOT NULL DEFAULT false;
ALTER TABLE migration ADD COLUMN cutover_when_verified boolean NOT NULL DEFAULT false;
ALTER TABLE migration ADD COLUMN notify                boolean NOT NULL DEFAULT false;
ALTER TABLE migration ADD COLUMN next_pass_at          timestamptz;

CREATE INDEX migration_due_idx ON migration (next_pass_at) WHERE background;

-- A domain whose people start their own migration by logging in (through the proxy) while routed to its default.
ALTER TABLE legacy_domain_route ADD COLUMN migrate_on_login boolean NOT NULL DEFAULT false;

-- How far a mailbox's copy from the old server has come: every old UID below uid_next has been fetched (stored,
-- stored with a new UID, or refused). Written in the transaction of each batch, so a pass resumes exactly where the
-- last committed batch ended. A pass starts here, not at the mailbox's own next UID: once Hato takes a person's mail
-- (syncing), it gives UIDs itself, and mail that still reached the old server with a UID Hato had given must be
-- fetched all the same (it is stored with a new UID). old_modseq: the old folder's HIGHESTMODSEQ when the last pass
-- examined it (RFC 7162; 0: unknown), so that the next asks only for the flags changed since (CHANGEDSINCE).
CREATE TABLE legacy_copied (
    account_id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    uid_next   bigint NOT NULL,
    old_modseq bigint NOT NULL DEFAULT 0,
    CONSTRAINT legacy_copied_pkey PRIMARY KEY (account_id, mailbox_id),
    CONSTRAINT legacy_copied_mailbox_fkey FOREIGN KEY (account_id, mailbox_id)
        REFERENCES mailbox (account_id, id) ON DELETE CASCADE,
    CONSTRAINT legacy_copied_uid_next_range CHECK (uid_next BETWEEN 1 AND 4294967296)
);

-- One worker on a person's migration at a time: `hato migrate` (copy, cutover, verify, rollback, copy-back) and the
-- server's passes take this lease first, renew it while they work, and give it back; a worker that dies leaves it
-- to run out. A cutover's pass, route flip and last pass thus never meet another pass of the same person.
CREATE TABLE migration_lock (
    account_id bigint      NOT NULL PRIMARY KEY CONSTRAINT migration_lock_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    owner      text        NOT NULL,
    until      timestamptz NOT NULL
);

-- How hard a migration may press an old system: at most max_connections people copied from it at once, each
-- connection reading at most max_rate octets per second (NULL: no limit). Each process that copies (a node, a
-- `hato migrate` command) keeps to these limits for its own connections.
CREATE TABLE legacy_throttle (
    backend         text    NOT NULL PRIMARY KEY CONSTRAINT legacy_throttle_backend_fkey REFERENCES legacy_backend (name) ON DELETE CASCADE,
    max_connections integer CONSTRAINT legacy_throttle_connections_positive CHECK (max_connections > 0),
    max_rate        bigint  CONSTRAINT legacy_throttle_rate_positive CHECK (max_rate > 0)
);
