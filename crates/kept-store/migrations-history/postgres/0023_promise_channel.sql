-- What the figures read of every promise, stored with it rather than looked up per promise in a
-- quarter of tens of thousands:
-- the channel it is kept on: a reply is on its conversation's channel; calls on the phone; what
-- staff said they would do on "other" (kept_domain's PromiseKind::usual_channel);
ALTER TABLE promises ADD COLUMN channel TEXT NOT NULL DEFAULT 'other';
UPDATE promises SET channel = CASE
    WHEN kind = 'reply' THEN COALESCE((SELECT c.channel FROM conversations c WHERE c.id = promises.subject_id), 'other')
    WHEN kind = 'follow_up' THEN 'other'
    ELSE 'phone' END;
-- and for a reply, whether the customer wrote in frustration (the threshold is
-- kept_domain::conversation::FRUSTRATED_FROM) while it was owed: set as the message comes in.
ALTER TABLE promises ADD COLUMN frustrated BIGINT NOT NULL DEFAULT 0;
UPDATE promises SET frustrated = 1 WHERE kind = 'reply' AND EXISTS (
    SELECT 1 FROM messages m WHERE m.conversation_id = promises.subject_id
    AND m.direction = 'inbound' AND m.frustration >= 50);
-- Which replies those were is now read from the promises, not looked up in their messages.
DROP INDEX messages_frustrated;
-- The channels in use (the inbox's and the figures' choices), found without reading every
-- conversation.
CREATE INDEX conversations_channel ON conversations (channel);
