-- Customers recognised on other channels, conversations and their messages.
CREATE TABLE customer_handles (
    handle TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    created_ms INTEGER NOT NULL
);
CREATE INDEX customer_handles_customer ON customer_handles (customer_id);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    assignee_id TEXT REFERENCES staff(id),
    promise_id TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX conversations_customer ON conversations (customer_id, channel);
CREATE INDEX conversations_status ON conversations (status, updated_ms);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    customer_id TEXT NOT NULL REFERENCES customers(id),
    direction TEXT NOT NULL,
    channel TEXT NOT NULL,
    external_id TEXT,
    staff_id TEXT REFERENCES staff(id),
    body TEXT NOT NULL,
    frustration INTEGER,
    sent_ms INTEGER NOT NULL,
    created_ms INTEGER NOT NULL
);
-- The same message delivered twice is stored once.
CREATE UNIQUE INDEX messages_external ON messages (channel, external_id);
CREATE INDEX messages_conversation ON messages (conversation_id, sent_ms);
CREATE INDEX messages_customer ON messages (customer_id, sent_ms);
