-- Outbound MTA-STS (RFC 8461) and SMTP TLS reporting (RFC 8460); docs/outbound.md, issue 20 item 4.

-- The last valid MTA-STS policy fetched for each destination domain, shared by every node and kept over restarts:
-- RFC 8461 §5.1 has senders use a cached policy until it expires, which is what protects a domain from a
-- downgrade of its TXT record or policy host by an attacker on the path.
CREATE TABLE mta_sts_policy (
    domain    text PRIMARY KEY,
    policy_id text NOT NULL,
    body      text NOT NULL,
    fetched   timestamptz NOT NULL,
    expires   timestamptz NOT NULL
);

-- Counted outbound TLS sessions for the daily TLS reports: one row per UTC day, policy domain, policy, receiving
-- MX host and address, and result ('' for a successful session, else an RFC 8460 §4.3 result type).
CREATE TABLE tls_report_session (
    day           date NOT NULL,
    policy_domain text NOT NULL,
    policy_type   text NOT NULL CHECK (policy_type IN ('sts', 'no-policy-found')),
    policy_id     text NOT NULL,
    policy_string text NOT NULL,
    mx_host       text NOT NULL,
    receiving_ip  text NOT NULL,
    result_type   text NOT NULL,
    sessions      bigint NOT NULL,
    PRIMARY KEY (day, policy_domain, policy_type, policy_id, mx_host, receiving_ip, result_type)
);
