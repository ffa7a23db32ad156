-- The audit log also records when a logged-in sender reaches a sending limit (docs/authentication.md, "Sending
-- limits"; issue 20 item 3): one row per account or client address and window, result 'send_limited'.
ALTER TABLE auth_event DROP CONSTRAINT auth_event_result_known;
ALTER TABLE auth_event ADD CONSTRAINT auth_event_result_known
    CHECK (result IN ('success', 'rejected', 'unavailable', 'throttled', 'locked', 'send_limited'));
