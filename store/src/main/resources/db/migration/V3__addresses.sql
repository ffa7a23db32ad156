-- Addresses that are not accounts (issue "SMTP complete", part 3): aliases, a per-domain catch-all, and forwarding
-- of an account to other addresses. Resolution (plus-addressing, recursion, loop detection) happens in the
-- gateway; the store only keeps the data and answers "what is behind this address" in one query.

-- One address that expands to other addresses (local accounts, other aliases, or addresses elsewhere). An alias
-- belongs to a local domain and goes with it.
CREATE TABLE alias (
    address    text        NOT NULL,
    domain_id  bigint      NOT NULL CONSTRAINT alias_domain_fkey REFERENCES domain (id) ON DELETE CASCADE,
    targets    text[]      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT alias_pkey PRIMARY KEY (address),
    CONSTRAINT alias_address_lower CHECK (address = lower(address) AND position('@' IN address) > 1),
    -- Empty only between removing the last target and deleting the row (PgAddresses.removeAlias).
    CONSTRAINT alias_targets_bounded CHECK (cardinality(targets) <= 1000)
);

CREATE INDEX alias_domain_idx ON alias (domain_id, address);

-- Where mail to an unknown address of the domain goes; NULL (the default) refuses it with 550 5.1.1.
ALTER TABLE domain ADD COLUMN catch_all text;

-- Forwarding of an account's mail: with keep_copy the account keeps a copy in its INBOX.
ALTER TABLE account ADD COLUMN forward_to text[] NOT NULL DEFAULT '{}';
ALTER TABLE account ADD COLUMN forward_keep_copy boolean NOT NULL DEFAULT true;
ALTER TABLE account ADD CONSTRAINT account_forward_to_bounded CHECK (cardinality(forward_to) <= 100);
