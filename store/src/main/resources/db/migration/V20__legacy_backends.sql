-- Issue 17: the old mail systems Hato runs beside during a migration, and each person's login there when it is not
-- their address. The certificates to trust are kept as PEM text, so every node has them; the master user's password
-- is sealed by the gateway (AES-GCM under the data directory's legacy.secret) and never stored in the clear.
CREATE TABLE legacy_backend (
    name             text        PRIMARY KEY,
    imap_host        text        NOT NULL,
    imap_port        integer     NOT NULL,
    imap_tls         text        NOT NULL,
    pop3_host        text,
    pop3_port        integer,
    pop3_tls         text,
    smtp_host        text,
    smtp_port        integer,
    managesieve_host text,
    managesieve_port integer,
    managesieve_tls  text,
    trust_pem        text,
    master_user      text,
    master_password  bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT legacy_backend_name_form CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    CONSTRAINT legacy_backend_ports CHECK (imap_port BETWEEN 1 AND 65535 AND coalesce(pop3_port, 1) BETWEEN 1 AND 65535
        AND coalesce(smtp_port, 1) BETWEEN 1 AND 65535 AND coalesce(managesieve_port, 1) BETWEEN 1 AND 65535),
    CONSTRAINT legacy_backend_tls_modes CHECK (imap_tls IN ('implicit', 'starttls', 'none')
        AND coalesce(pop3_tls, 'none') IN ('implicit', 'starttls', 'none')
        AND coalesce(managesieve_tls, 'none') IN ('implicit', 'starttls', 'none')),
    CONSTRAINT legacy_backend_pop3_complete CHECK ((pop3_host IS NULL) = (pop3_port IS NULL)
        AND (pop3_host IS NULL) = (pop3_tls IS NULL)),
    CONSTRAINT legacy_backend_smtp_complete CHECK ((smtp_host IS NULL) = (smtp_port IS NULL)),
    CONSTRAINT legacy_backend_managesieve_complete CHECK ((managesieve_host IS NULL) = (managesieve_port IS NULL)
        AND (managesieve_host IS NULL) = (managesieve_tls IS NULL)),
    CONSTRAINT legacy_backend_master_complete CHECK ((master_user IS NULL) = (master_password IS NULL))
);

CREATE TABLE legacy_login (
    account_id bigint NOT NULL PRIMARY KEY CONSTRAINT legacy_login_account_fkey REFERENCES account (id) ON DELETE CASCADE,
    login      text   NOT NULL,
    CONSTRAINT legacy_login_length CHECK (length(login) BETWEEN 1 AND 255)
);
