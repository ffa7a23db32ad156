-- Issue 17: where each person's migration stands, for `hato migrate status` and the dashboards: the old system it
-- copies from (kept as text: the record outlives the system), its state, and what the passes and the verification
-- found. One row per person, updated by every pass.
CREATE TABLE migration (
    account_id  bigint      NOT NULL PRIMARY KEY CONSTRAINT migration_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    backend     text        NOT NULL,
    state       text        NOT NULL,
    passes      integer     NOT NULL DEFAULT 0,
    copied      bigint      NOT NULL DEFAULT 0,
    refused     bigint      NOT NULL DEFAULT 0,
    verified    boolean,
    last_error  text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT migration_state_known CHECK (state IN ('copying', 'copied', 'failed', 'moved', 'rolled-back'))
);
