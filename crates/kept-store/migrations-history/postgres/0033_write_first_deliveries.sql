-- A conversation staff start may wait for the customer's answer by a moment: a follow-up of
-- the writer's, withdrawn ('answered') as soon as the customer writes back in it.
ALTER TABLE follow_ups ADD COLUMN awaits_conversation_id TEXT;
CREATE INDEX follow_ups_awaiting ON follow_ups (awaits_conversation_id) WHERE awaits_conversation_id IS NOT NULL;

-- The deliveries page lists what kept gave up on, newest first, without reading all it sent.
CREATE INDEX outbox_gave_up ON outbox (id) WHERE status IN ('failed', 'bounced');
