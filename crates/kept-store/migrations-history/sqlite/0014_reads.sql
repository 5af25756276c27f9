-- When each staff member last opened each conversation: a conversation with a customer
-- message stored after that is unread for them.
CREATE TABLE conversation_reads (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    read_ms INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, staff_id)
);
CREATE INDEX messages_inbound_stored ON messages (conversation_id, direction, created_ms);
