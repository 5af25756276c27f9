CREATE TABLE conversation_tags (
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    tag TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
