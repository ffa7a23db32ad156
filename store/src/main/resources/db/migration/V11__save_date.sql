-- RFC 8514 SAVEDATE: when a message was saved into the mailbox it is in now (APPEND, COPY, MOVE, delivery, the move
-- of RENAME INBOX), which COPY and MOVE do not copy from the source, unlike the internal date (§3).
--
-- Added without a default first, so that PostgreSQL only changes the catalog (no table rewrite, whatever the number
-- of messages), and every existing row keeps NULL: its save date is not known, and a guess (the internal date, which
-- APPEND may set to anything and COPY copies; or the time of this migration) would be a wrong answer stated as a
-- fact. For such a message FETCH SAVEDATE returns NIL, which §4.2 gives as the value when the save date is not
-- supported, and SAVEDBEFORE/SAVEDON/SAVEDSINCE compare its internal date instead, as §4.3 requires in that case.
ALTER TABLE message ADD COLUMN save_date timestamptz;

-- Every row inserted from now on gets the time of its inserting transaction: all messages of one APPEND, COPY, MOVE
-- or delivery batch are saved at one moment, and no insert can forget it.
ALTER TABLE message ALTER COLUMN save_date SET DEFAULT now();
