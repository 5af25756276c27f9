-- Conversations in which the customer wrote in frustration (the threshold is
-- kept_domain::conversation::FRUSTRATED_FROM): the missed signals look them up.
CREATE INDEX messages_frustrated ON messages (conversation_id) WHERE direction = 'inbound' AND frustration >= 50;
