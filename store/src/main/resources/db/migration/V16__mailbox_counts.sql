-- Each folder's counts kept with the folder, so that IMAP STATUS and the webmail's folder tree (every folder's counts
-- on every page) read one row instead of counting every message: a 100,000-message folder cost a scan of 100,000
-- rows per STATUS. Kept by statement-level triggers on message, whatever statement writes it (delivery, APPEND, COPY,
-- MOVE, STORE, EXPUNGE, a folder or an account deleted): one UPDATE per folder a statement touched, in the statement's
-- transaction, from its transition tables. \Recent is not counted here: it depends on the reader (first_recent_uid)
-- and is counted from the primary key, which reads only the recent rows.
ALTER TABLE mailbox
    ADD COLUMN message_count bigint NOT NULL DEFAULT 0,
    ADD COLUMN unseen_count  bigint NOT NULL DEFAULT 0,
    ADD COLUMN deleted_count bigint NOT NULL DEFAULT 0,
    ADD COLUMN size_total    bigint NOT NULL DEFAULT 0;

UPDATE mailbox m
   SET message_count = c.messages, unseen_count = c.unseen, deleted_count = c.deleted, size_total = c.size
  FROM (SELECT account_id, mailbox_id, count(*) AS messages,
               count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))) AS unseen,
               count(*) FILTER (WHERE '\Deleted' = ANY (flags)) AS deleted,
               coalesce(sum(size), 0) AS size
          FROM message GROUP BY account_id, mailbox_id) c
 WHERE m.account_id = c.account_id AND m.id = c.mailbox_id;

CREATE FUNCTION mailbox_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mailbox m
       SET message_count = m.message_count + d.messages, unseen_count = m.unseen_count + d.unseen,
           deleted_count = m.deleted_count + d.deleted, size_total = m.size_total + d.size
      FROM (SELECT account_id, mailbox_id, count(*) AS messages,
                   count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))) AS unseen,
                   count(*) FILTER (WHERE '\Deleted' = ANY (flags)) AS deleted, sum(size) AS size
              FROM new_rows GROUP BY account_id, mailbox_id) d
     WHERE m.account_id = d.account_id AND m.id = d.mailbox_id;
    RETURN NULL;
END $$;

CREATE FUNCTION mailbox_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mailbox m
       SET message_count = m.message_count - d.messages, unseen_count = m.unseen_count - d.unseen,
           deleted_count = m.deleted_count - d.deleted, size_total = m.size_total - d.size
      FROM (SELECT account_id, mailbox_id, count(*) AS messages,
                   count(*) FILTER (WHERE NOT ('\Seen' = ANY (flags))) AS unseen,
                   count(*) FILTER (WHERE '\Deleted' = ANY (flags)) AS deleted, sum(size) AS size
              FROM old_rows GROUP BY account_id, mailbox_id) d
     WHERE m.account_id = d.account_id AND m.id = d.mailbox_id;
    RETURN NULL;
END $$;

-- An UPDATE changes flags (STORE) and could move a row: the new rows count once, the old rows minus once.
CREATE FUNCTION mailbox_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE mailbox m
       SET message_count = m.message_count + d.messages, unseen_count = m.unseen_count + d.unseen,
           deleted_count = m.deleted_count + d.deleted, size_total = m.size_total + d.size
      FROM (SELECT account_id, mailbox_id, sum(sign) AS messages,
                   coalesce(sum(sign) FILTER (WHERE NOT ('\Seen' = ANY (flags))), 0) AS unseen,
                   coalesce(sum(sign) FILTER (WHERE '\Deleted' = ANY (flags)), 0) AS deleted,
                   sum(sign * size) AS size
              FROM (SELECT account_id, mailbox_id, flags, size, 1 AS sign FROM new_rows
                    UNION ALL
                    SELECT account_id, mailbox_id, flags, size, -1 AS sign FROM old_rows) c
             GROUP BY account_id, mailbox_id) d
     WHERE m.account_id = d.account_id AND m.id = d.mailbox_id
       AND (d.messages <> 0 OR d.unseen <> 0 OR d.deleted <> 0 OR d.size <> 0);
    RETURN NULL;
END $$;

CREATE TRIGGER message_counts_inserted AFTER INSERT ON message
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mailbox_counts_inserted();
CREATE TRIGGER message_counts_deleted AFTER DELETE ON message
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mailbox_counts_deleted();
CREATE TRIGGER message_counts_updated AFTER UPDATE ON message
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION mailbox_counts_updated();
