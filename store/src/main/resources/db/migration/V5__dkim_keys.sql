-- DKIM signing keys (RFC 6376, RFC 8463), one row per domain and selector, shared by every gateway node so that
-- any node signs a domain's mail with the same key. Written by `hato dkim keygen|activate|remove`, read by the
-- signer (cached for a minute or so).
--
-- Not a person's data: the table stays on the coordinator of a sharded PostgreSQL. There is no foreign key to
-- domain: a signing domain (d=) may be a parent or sibling of the domains served here, and a key outlives a
-- domain's removal until the operator removes it too.
--
-- algorithm is the DKIM a= value. private_key is the PKCS#8 key in PEM; public_key is the p= value of the DNS
-- record (base64 of the SubjectPublicKeyInfo for RSA, RFC 6376 §3.6.1; of the raw 32-byte key for Ed25519,
-- RFC 8463 §4). At most one key per domain and algorithm is active: the signer adds one DKIM-Signature per active
-- key (RSA and Ed25519 side by side, RFC 8463 §5), and a rotation activates the new selector in one transaction.
-- Domain and selector are DNS names, lower-cased by the caller; the CHECK constraints catch one that forgot.

CREATE TABLE dkim_key (
    domain      text        NOT NULL,
    selector    text        NOT NULL,
    algorithm   text        NOT NULL,
    private_key text        NOT NULL,
    public_key  text        NOT NULL,
    created     timestamptz NOT NULL,
    active      boolean     NOT NULL,
    CONSTRAINT dkim_key_pkey PRIMARY KEY (domain, selector),
    CONSTRAINT dkim_key_domain_lower CHECK (domain = lower(domain) AND domain <> ''),
    CONSTRAINT dkim_key_selector_lower CHECK (selector = lower(selector) AND selector <> ''),
    CONSTRAINT dkim_key_algorithm_known CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256'))
);

-- The signer's lookup, and the rule "one active key per domain and algorithm".
CREATE UNIQUE INDEX dkim_key_active_idx ON dkim_key (domain, algorithm) WHERE active;
