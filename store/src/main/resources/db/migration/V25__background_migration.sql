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
