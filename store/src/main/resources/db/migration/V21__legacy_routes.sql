-- Issue 17: where each person's mail and logins are served during a migration. A person without a row of their
-- own follows their domain's default (a legacy system, or Hato when the domain has none). 'syncing': their mail is
-- being copied; Hato serves them and new mail lands in Hato. A legacy system with routes to it cannot be removed.
CREATE TABLE legacy_route (
    account_id bigint NOT NULL PRIMARY KEY CONSTRAINT legacy_route_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    route      text   NOT NULL,
    backend    text            CONSTRAINT legacy_route_backend_fkey REFERENCES legacy_backend (name) ON DELETE RESTRICT,
    CONSTRAINT legacy_route_kind CHECK (route IN ('local', 'syncing', 'legacy')),
    CONSTRAINT legacy_route_backend_named CHECK ((route = 'legacy') = (backend IS NOT NULL))
);

CREATE INDEX legacy_route_backend_idx ON legacy_route (backend) WHERE backend IS NOT NULL;

CREATE TABLE legacy_domain_route (
    domain_id bigint NOT NULL PRIMARY KEY CONSTRAINT legacy_domain_route_domain_fkey REFERENCES domain (id) ON DELETE CASCADE,
    backend   text   NOT NULL CONSTRAINT legacy_domain_route_backend_fkey REFERENCES legacy_backend (name) ON DELETE RESTRICT
);
