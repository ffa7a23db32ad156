-- Issue 17: the POP3 unique-ids an old server gave messages that were copied with their UIDs, so that POP3 clients
-- that leave mail on the server (fetchmail keep, "leave a copy on the server") download nothing again after the
-- switch. A message without a row has Hato's own unique-id (UIDVALIDITY.UID). Goes with its message.
CREATE TABLE pop3_uidl (
    account_id bigint NOT NULL,
    mailbox_id bigint NOT NULL,
    uid        bigint NOT NULL,
    uidl       text   NOT NULL,
    CONSTRAINT pop3_uidl_pkey PRIMARY KEY (account_id, mailbox_id, uid),
    CONSTRAINT pop3_uidl_message_fkey FOREIGN KEY (account_id, mailbox_id, uid)
        REFERENCES message (account_id, mailbox_id, uid) ON DELETE CASCADE,
    -- RFC 1939 §7: 1 to 70 characters in 0x21..0x7E
    CONSTRAINT pop3_uidl_form CHECK (uidl ~ '^[!-~]{1,70}$')
);
