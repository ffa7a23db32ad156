-- A person's Sieve scripts (issue 16; RFC 5804's model: named scripts, at most one active), kept as the text they
-- uploaded: the compiled form is a cache in the gateway, so an engine upgrade compiles again from the text.
CREATE TABLE sieve_script (
    account_id bigint      NOT NULL CONSTRAINT sieve_script_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    name       text        NOT NULL CONSTRAINT sieve_script_name_valid
                               CHECK (length(name) BETWEEN 1 AND 128 AND name !~ '[[:cntrl:]/]'),
    content    text        NOT NULL CONSTRAINT sieve_script_content_bounded CHECK (octet_length(content) <= 262144),
    active     boolean     NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sieve_script_pkey PRIMARY KEY (account_id, name)
);

-- At most one active script per account.
CREATE UNIQUE INDEX sieve_script_one_active ON sieve_script (account_id) WHERE active;

-- Vacation responses sent (RFC 5230 §4.2): one per sender and handle until the period is over.
CREATE TABLE vacation_response (
    account_id bigint      NOT NULL CONSTRAINT vacation_response_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    sender     text        NOT NULL,
    handle     text        NOT NULL,
    until      timestamptz NOT NULL,
    CONSTRAINT vacation_response_pkey PRIMARY KEY (account_id, sender, handle)
);

-- Script versions whose run-time failure the owner has been told about (once per version, by SHA-256 of the text).
CREATE TABLE sieve_failure_notice (
    account_id bigint      NOT NULL CONSTRAINT sieve_failure_notice_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    digest     text        NOT NULL,
    told_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sieve_failure_notice_pkey PRIMARY KEY (account_id, digest)
);
