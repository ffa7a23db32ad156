-- The outbound queue (ARCHITECTURE.md, "Growing past one machine"): messages accepted for recipients outside
-- Hato's domains, written by the delivery batcher in the same transaction as the local copies, and worked off by
-- the queue runner of any gateway node. Nodes share it through the database: a runner claims due recipients with
-- FOR UPDATE SKIP LOCKED and moves their next_attempt past a lease, so no two nodes deliver the same recipient
-- and a node that dies mid-delivery only delays its recipients until the lease runs out.
--
-- Distribution: the queue holds no mailbox data and is keyed by its own ids; on a sharded PostgreSQL it lives on
-- the coordinator (or is distributed by message id), like the blob table it refers to.

CREATE TABLE queue_message (
    id       bigserial   PRIMARY KEY,
    -- No cascade (as message.blob_id): a blob is only ever removed once nothing, queue included, refers to it.
    blob_id  bigint      NOT NULL CONSTRAINT queue_message_blob_fkey REFERENCES blob (id),
    size     bigint      NOT NULL,
    -- The envelope (dev.hato.store.Envelope): '' is the null sender <> of a bounce (RFC 5321 §4.5.5).
    sender   text        NOT NULL,
    -- RFC 3461 §4.4 ENVID (xtext-decoded) and §4.3 RET, passed on to a server that offers DSN.
    envid    text,
    ret      text,
    -- RFC 6531 SMTPUTF8 and RFC 6152 / RFC 3030 BODY=: what the next hop must offer to take the message.
    utf8     boolean     NOT NULL,
    body     text        NOT NULL,
    -- Retrying stops at arrival plus hato.outbound.max-age, read when the runner looks (no expiry column): as
    -- with Postfix's maximal_queue_lifetime, a changed setting applies to what is already queued.
    arrival  timestamptz NOT NULL,
    CONSTRAINT queue_message_ret_known CHECK (ret IS NULL OR ret IN ('FULL', 'HDRS')),
    CONSTRAINT queue_message_body_known CHECK (body IN ('7BIT', '8BITMIME', 'BINARYMIME')),
    CONSTRAINT queue_message_envid_length CHECK (envid IS NULL OR char_length(envid) <= 100),
    CONSTRAINT queue_message_size_positive CHECK (size >= 0)
);

CREATE INDEX queue_message_blob_idx ON queue_message (blob_id);

CREATE TABLE queue_recipient (
    id             bigserial   PRIMARY KEY,
    message_id     bigint      NOT NULL CONSTRAINT queue_recipient_message_fkey
                                   REFERENCES queue_message (id) ON DELETE CASCADE,
    address        text        NOT NULL,
    -- The destination: the domain part of the address, lower-cased; one connection carries all its recipients.
    domain         text        NOT NULL,
    -- RFC 3461 §4.1 NOTIFY (empty: none given) and §4.2 ORCPT as addr-type;address.
    notify         text[]      NOT NULL DEFAULT '{}',
    orcpt          text,
    state          text        NOT NULL DEFAULT 'queued',
    attempts       integer     NOT NULL DEFAULT 0,
    next_attempt   timestamptz NOT NULL,
    last_error     text,
    delay_notified boolean     NOT NULL DEFAULT false,
    CONSTRAINT queue_recipient_state_known CHECK (state IN ('queued', 'delivered', 'failed')),
    CONSTRAINT queue_recipient_domain_lower CHECK (domain = lower(domain) AND domain <> ''),
    CONSTRAINT queue_recipient_attempts_positive CHECK (attempts >= 0)
);

-- What the runner asks for: due recipients still queued, earliest first.
CREATE INDEX queue_recipient_due_idx ON queue_recipient (next_attempt, domain) WHERE state = 'queued';
CREATE INDEX queue_recipient_message_idx ON queue_recipient (message_id);
