-- RFC 8474 OBJECTID and RFC 8970 PREVIEW.
--
-- MAILBOXID needs no column: mailbox.id comes from a sequence, so it is never given to another mailbox, and RENAME
-- keeps the row (RFC 8474 §4: the same id for the same name and UIDVALIDITY, kept across RENAME; RENAME INBOX makes a
-- new mailbox, hence a new id).
--
-- EMAILID (RFC 8474 §5.1) names a message's immutable content and must be the same for a message and its COPY or
-- MOVE. A message's (mailbox_id, uid) is never given to another message (mailbox ids come from a sequence and a
-- mailbox's UIDs only grow), so the EMAILID of a message is the (mailbox_id, uid) it was first stored with: its own
-- for a delivered or appended message (the columns stay NULL, so delivery and APPEND write nothing more and the
-- rows of messages stored before this migration need no update), that of the original for a copy (COPY and MOVE
-- carry the pair along).
ALTER TABLE message ADD COLUMN origin_mailbox_id bigint;
ALTER TABLE message ADD COLUMN origin_uid bigint;
ALTER TABLE message ADD CONSTRAINT message_origin_complete CHECK ((origin_mailbox_id IS NULL) = (origin_uid IS NULL));

-- RFC 8970 preview, made from the first text part when the facts are parsed (at delivery or APPEND), like the rest of
-- blob_facts shared by every copy of the blob. NULL for facts stored before this migration: FETCH PREVIEW makes it
-- then from the message and stores it (PREVIEW (LAZY) answers NIL instead).
ALTER TABLE blob_facts ADD COLUMN preview text;
