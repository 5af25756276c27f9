-- Internal notes and logged phone calls on a customer (optionally on a conversation).
CREATE TABLE notes (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    conversation_id TEXT REFERENCES conversations(id),
    staff_id TEXT REFERENCES staff(id),
    body TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX notes_customer ON notes (customer_id, at_ms);

CREATE TABLE phone_calls (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    staff_id TEXT REFERENCES staff(id),
    direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    summary TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX phone_calls_customer ON phone_calls (customer_id, at_ms);
