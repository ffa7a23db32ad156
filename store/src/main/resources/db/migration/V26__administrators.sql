-- Issue 18 (and issue 17's dashboard): who administers what. A row with a domain makes the person an administrator
-- of that domain (a department's); a row without one, a site administrator (every domain). Pages and queries for
-- administrators join this table, so what one may see is decided in the store's queries, not only in the pages.
CREATE TABLE admin_grant (
    id         bigserial   PRIMARY KEY,
    account_id bigint      NOT NULL CONSTRAINT admin_grant_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    domain_id  bigint               CONSTRAINT admin_grant_domain_fkey REFERENCES domain (id) ON DELETE CASCADE,
    granted_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT admin_grant_once UNIQUE NULLS NOT DISTINCT (account_id, domain_id)
);

CREATE INDEX admin_grant_domain_idx ON admin_grant (domain_id);
