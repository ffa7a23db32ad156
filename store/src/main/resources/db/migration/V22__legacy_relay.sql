-- Issue 17: mail for a person still served by a legacy system is relayed to that system's MTA through the outbound
-- queue. Such a recipient names the legacy system in transport (NULL: the usual MX or smarthost route); its domain
-- stays the domain of its address (a local domain). The runner's destination is 'legacy:' || transport for them,
-- so one connection to the old MTA carries the recipients of all domains it serves.
--
-- RESTRICT, not SET NULL or CASCADE: a legacy system that queued mail still goes to cannot be removed. A recipient
-- whose system vanished could only wait for its retry period to end and bounce (or, with SET NULL, go to an MX
-- that is Hato itself); instead `hato legacy remove` says that mail is still queued for it, and the operator
-- waits for the queue to drain or deletes those messages (`hato queue list`, `hato queue delete`). Replacing a
-- system (`hato legacy add --replace`, an upsert of the same name) is not a delete and keeps the queued mail, which
-- then goes to the new SMTP server.
ALTER TABLE queue_recipient ADD COLUMN transport text
    CONSTRAINT queue_recipient_transport_fkey REFERENCES legacy_backend (name) ON DELETE RESTRICT;

-- For the foreign key check when a legacy system is removed (the queue is otherwise never searched by transport).
CREATE INDEX queue_recipient_transport_idx ON queue_recipient (transport) WHERE transport IS NOT NULL;
