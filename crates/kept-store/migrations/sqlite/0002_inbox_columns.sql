-- The inbox reads one page of conversations by keyset, without reading their messages: what a
-- row shows and sorts by is kept on the conversation when a message is written.
ALTER TABLE conversations ADD COLUMN subject TEXT;
-- The latest message's first 300 characters, who wrote it, and when it was sent.
ALTER TABLE conversations ADD COLUMN preview TEXT;
ALTER TABLE conversations ADD COLUMN last_direction TEXT;
ALTER TABLE conversations ADD COLUMN last_ms INTEGER;
-- When the latest customer message was stored: unread for whoever read the conversation before.
ALTER TABLE conversations ADD COLUMN last_inbound_ms INTEGER;
-- The highest frustration of any message, and whether that reaches the frustrated mark
-- (the inbox shows frustrated customers first).
ALTER TABLE conversations ADD COLUMN frustration INTEGER NOT NULL DEFAULT 0;
ALTER TABLE conversations ADD COLUMN frustrated INTEGER NOT NULL DEFAULT 0;
-- When the conversation needs us: its reply promise's due time (else when it began).
ALTER TABLE conversations ADD COLUMN queue_ms INTEGER NOT NULL DEFAULT 0;

UPDATE conversations SET
    subject = (SELECT m.subject FROM messages m WHERE m.conversation_id = conversations.id
               AND m.subject IS NOT NULL ORDER BY m.sent_ms, m.created_ms LIMIT 1),
    preview = (SELECT SUBSTR(m.body, 1, 300) FROM messages m WHERE m.conversation_id = conversations.id
               ORDER BY m.sent_ms DESC, m.created_ms DESC LIMIT 1),
    last_direction = (SELECT m.direction FROM messages m WHERE m.conversation_id = conversations.id
                      ORDER BY m.sent_ms DESC, m.created_ms DESC LIMIT 1),
    last_ms = (SELECT MAX(m.sent_ms) FROM messages m WHERE m.conversation_id = conversations.id),
    last_inbound_ms = (SELECT MAX(m.created_ms) FROM messages m WHERE m.conversation_id = conversations.id
                       AND m.direction = 'inbound'),
    frustration = COALESCE((SELECT MAX(m.frustration) FROM messages m WHERE m.conversation_id = conversations.id), 0),
    queue_ms = COALESCE((SELECT p.due_ms FROM promises p WHERE p.id = conversations.promise_id), created_ms);
UPDATE conversations SET frustrated = 1 WHERE frustration >= 50;

-- A page of a view: waiting on us (frustrated first, then soonest due), by assignee, or the
-- most recently active first (waiting on the customer, resolved).
DROP INDEX conversations_status;
CREATE INDEX conversations_queue ON conversations (status, frustrated, queue_ms, id);
CREATE INDEX conversations_assignee_queue ON conversations (assignee_id, status, frustrated, queue_ms, id);
CREATE INDEX conversations_recent ON conversations (status, updated_ms, id);
